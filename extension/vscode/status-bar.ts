// Status bar entry with the nearest expiry; hidden when nothing is counting down.
import * as vscode from 'vscode';
import type { AccessState } from '../core/access-state.js';
import { statusText } from '../core/status-text.js';
import { VIEW_ID } from './command-ids.js';
import { Countdown } from './countdown.js';

export class ExpiryStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('jitAccess.expiry', vscode.StatusBarAlignment.Left, 50);
  private readonly countdown: Countdown;

  constructor(private readonly state: AccessState) {
    this.item.name = 'Just-In-Time Access expiry';
    this.item.command = `${VIEW_ID}.focus`;
    this.countdown = new Countdown(state, () => this.update());
  }

  dispose(): void {
    this.countdown.dispose();
    this.item.dispose();
  }

  private update(): void {
    const status = statusText(this.state.snapshot, Date.now());
    if (!status) {
      this.item.hide();
      return;
    }
    this.item.text = `$(shield) ${status.text}`;
    this.item.tooltip = status.tooltip;
    this.item.show();
  }
}
