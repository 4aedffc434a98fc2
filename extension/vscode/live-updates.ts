// Keeps the views current from the service's event stream, turns expiring events into
// reminders and awaiting approvals into notices. The stream restarts when the server URL or
// the token changes; the last event id is kept in global state so that after a window reload
// the service replays what was missed.
import * as vscode from 'vscode';
import type { AccessSnapshot } from '../core/access-state.js';
import { approvalNotice } from '../core/approval-notices.js';
import { EventStream, type ServiceEvent } from '../core/event-stream.js';
import { reminderFor, type Reminder } from '../core/reminders.js';
import { notifyApprover } from './approval-notifications.js';
import { COMMANDS } from './command-ids.js';
import type { Services } from './services.js';

/** Events arrive in bursts (approve → activated, or a replay); one reload serves the burst. */
const COALESCE_MS = 250;

export class LiveUpdates implements vscode.Disposable {
  private stream?: EventStream;
  private pending?: ReturnType<typeof setTimeout>;
  private reload?: Promise<AccessSnapshot>;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly services: Services, private readonly memento: vscode.Memento) {
    this.subscription = services.session.onDidChange(() => this.restart());
  }

  start(): void {
    const { session, log } = this.services;
    // Per server: ids of one service mean nothing to another.
    const key = `jitAccess.lastEventId:${session.serverUrl}`;
    this.stream = new EventStream({
      lastEventId: this.memento.get<string>(key),
      connect: (signal, lastEventId) => session.client().events(signal, lastEventId),
      onEvent: (event) => {
        if (event.id !== undefined) void this.memento.update(key, event.id);
        this.handle(event);
      },
      onSkipped: (problem) => log.warn(`event skipped: ${problem}`),
      onStatus: (status, error) => {
        log.info(`event stream ${status}${error ? `: ${error instanceof Error ? error.message : String(error)}` : ''}`);
        if (status === 'connected') void this.scheduleRefresh();
      },
    });
    this.stream.start();
  }

  dispose(): void {
    this.subscription.dispose();
    if (this.pending) clearTimeout(this.pending);
    this.reload = undefined;
    void this.stream?.dispose();
  }

  private restart(): void {
    void this.stream?.dispose();
    this.start();
  }

  private handle(event: ServiceEvent): void {
    this.services.log.debug(`event ${event.type}${event.id === undefined ? '' : ` #${event.id}`}`);
    const reloaded = this.scheduleRefresh();
    // Judged on what the reload finds: a replayed event may be about something over since.
    switch (event.type) {
      case 'grant.expiring':
      case 'role.expiring':
        void reloaded.then((known) => {
          const reminder = reminderFor(event, known, Date.now());
          if (reminder) void remind(reminder);
        });
        break;
      case 'approval.awaiting':
        void reloaded.then((known) => {
          const notice = approvalNotice(event, known);
          if (notice) void notifyApprover(this.services, notice);
        });
        break;
    }
  }

  /** One reload for the events arriving within COALESCE_MS of each other; resolves with what it loaded. */
  private scheduleRefresh(): Promise<AccessSnapshot> {
    const { state } = this.services;
    this.reload ??= new Promise((resolve) => {
      this.pending = setTimeout(() => {
        this.pending = undefined;
        this.reload = undefined;
        // The first load to finish from now on has seen the change: this one, or a newer one
        // that cancels it (a cancelled refresh answers with the snapshot from before).
        const loaded = state.onChange((snapshot) => {
          loaded.dispose();
          resolve(snapshot);
        });
        void state.refresh();
      }, COALESCE_MS);
    });
    return this.reload;
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
