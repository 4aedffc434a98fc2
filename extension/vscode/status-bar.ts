// Status bar entry with the nearest expiry; hidden when nothing is counting down. Clicking it
// opens the view, or offers to revoke the role binding that runs out first.
import * as vscode from 'vscode';
import type { AccessState } from '../core/access-state.js';
import type { Countdown } from '../core/countdown.js';
import { statusText } from '../core/status-text.js';
import { COMMANDS, VIEW_ID } from './command-ids.js';

export class ExpiryStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('jitAccess.expiry', vscode.StatusBarAlignment.Left, 50);
  private readonly redraws: { dispose(): void };

  constructor(private readonly state: AccessState, private readonly countdown: Countdown) {
    this.item.name = 'Just-In-Time Access expiry';
    this.redraws = countdown.onRedraw(() => this.update());
  }

  dispose(): void {
    this.redraws.dispose();
    this.item.dispose();
  }

  private update(): void {
    const status = statusText(this.state.snapshot, this.countdown.now);
    if (!status) {
      this.item.hide();
      return;
    }
    this.item.text = `$(shield) ${status.text}`;
    this.item.tooltip = status.tooltip;
    this.item.command = status.bindingId
      ? { title: 'Revoke Role', command: COMMANDS.revokeRole, arguments: [status.bindingId] }
      : `${VIEW_ID}.focus`;
    this.item.show();
  }
}
