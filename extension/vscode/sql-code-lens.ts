// CodeLens above each statement of a SQL file (run with the covering grant, or request
// access, and run with a role the user holds), and a hover explaining why a near-identical
// statement is not covered.
import * as vscode from 'vscode';
import type { AccessState } from '../core/access-state.js';
import type { Countdown } from '../core/countdown.js';
import { NEAR_MISS_EXPLANATION } from '../core/grant-coverage.js';
import { roleTargets } from '../core/role-targets.js';
import { statementLenses, type LensAction } from '../core/statement-lenses.js';
import { COMMANDS } from './command-ids.js';
import type { RoleChoices, RunQueryArgs } from './role-query.js';

export class SqlCodeLens implements vscode.CodeLensProvider, vscode.HoverProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly redraws: { dispose(): void }[];

  constructor(private readonly state: AccessState, private readonly countdown: Countdown, private readonly choices: RoleChoices) {
    this.redraws = [countdown.onRedraw(() => this.changed.fire()), choices.onDidChange(() => this.changed.fire())];
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    return this.lenses(document).map((lens) => {
      const start = document.positionAt(lens.statement.start);
      return new vscode.CodeLens(new vscode.Range(start, start), { title: lens.title, tooltip: lens.tooltip, ...commandFor(lens.action, document, lens.statement) });
    });
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const offset = document.offsetAt(position);
    const lens = this.lenses(document).find((l) => offset >= l.statement.start && offset <= l.statement.end);
    if (lens?.action.kind !== 'useApprovedText') return undefined;
    const range = new vscode.Range(document.positionAt(lens.statement.start), document.positionAt(lens.statement.end));
    return new vscode.Hover(new vscode.MarkdownString(`**Just-In-Time Access:** ${NEAR_MISS_EXPLANATION}`), range);
  }

  dispose(): void {
    for (const redraw of this.redraws) redraw.dispose();
    this.changed.dispose();
  }

  private lenses(document: vscode.TextDocument) {
    const roles = { targets: roleTargets(this.state.snapshot, this.countdown.now), remembered: this.choices.get(document.uri.toString()) };
    return statementLenses(document.getText(), this.state.activeGrants(), this.countdown.now, roles);
  }
}

function commandFor(action: LensAction, document: vscode.TextDocument, statement: { start: number; end: number }): { command: string; arguments: unknown[] } {
  switch (action.kind) {
    case 'run':
      return { command: COMMANDS.runGrant, arguments: [action.grantId] };
    case 'useApprovedText': {
      const range = new vscode.Range(document.positionAt(statement.start), document.positionAt(statement.end));
      return { command: COMMANDS.useApprovedText, arguments: [document.uri, range, action.grantId] };
    }
    case 'request':
      return { command: COMMANDS.requestDataAccess, arguments: [{ statement: action.statement }] };
    case 'runWithRole': {
      const args: RunQueryArgs = { statement: action.statement, uri: document.uri.toString() };
      return { command: COMMANDS.runQuery, arguments: [args] };
    }
  }
}
