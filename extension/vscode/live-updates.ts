// Keeps the views current from the service's event stream, and turns expiring events into
// reminders. The stream restarts when the server URL or the token changes.
import * as vscode from 'vscode';
import type { AccessState } from '../core/access-state.js';
import { EventStream, type ServiceEvent } from '../core/event-stream.js';
import { reminderFor, type Reminder } from '../core/reminders.js';
import { COMMANDS } from './command-ids.js';
import type { Session } from './session.js';

/** Events arrive in bursts (approve → activated); one reload serves the burst. */
const COALESCE_MS = 250;

export class LiveUpdates implements vscode.Disposable {
  private stream?: EventStream;
  private pending?: ReturnType<typeof setTimeout>;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly session: Session, private readonly state: AccessState, private readonly log: vscode.LogOutputChannel) {
    this.subscription = session.onDidChange(() => this.restart());
  }

  start(): void {
    this.stream = new EventStream({
      connect: (signal) => this.session.client().events(signal),
      onEvent: (event) => this.handle(event),
      onStatus: (status, error) => {
        this.log.info(`event stream ${status}${error ? `: ${error instanceof Error ? error.message : String(error)}` : ''}`);
        if (status === 'connected') this.scheduleRefresh();
      },
    });
    this.stream.start();
  }

  dispose(): void {
    this.subscription.dispose();
    if (this.pending) clearTimeout(this.pending);
    void this.stream?.dispose();
  }

  private restart(): void {
    void this.stream?.dispose();
    this.start();
  }

  private handle(event: ServiceEvent): void {
    this.log.debug(`event ${event.type}`);
    const reminder = reminderFor(event, this.state.snapshot, Date.now());
    if (reminder) void remind(reminder);
    this.scheduleRefresh();
  }

  private scheduleRefresh(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = setTimeout(() => {
      this.pending = undefined;
      void this.state.refresh();
    }, COALESCE_MS);
  }
}

async function remind(reminder: Reminder): Promise<void> {
  if (reminder.kind === 'grant') {
    const { grant } = reminder;
    const picked = await vscode.window.showWarningMessage(reminder.message, 'Run now', 'Request again');
    if (picked === 'Run now') await vscode.commands.executeCommand(COMMANDS.runGrant, grant.id);
    if (picked === 'Request again') {
      await vscode.commands.executeCommand(COMMANDS.requestDataAccess, { statement: grant.statement, project: grant.project, databases: grant.databases });
    }
    return;
  }
  const picked = await vscode.window.showWarningMessage(reminder.message, 'Request again');
  if (picked) await vscode.commands.executeCommand(COMMANDS.requestRole, { project: reminder.project, role: reminder.role });
}
