// CodeLens above each statement of a SQL file (run with the covering grant, or request
// access), and a hover explaining why a near-identical statement is not covered.
import * as vscode from 'vscode';
import type { AccessState } from '../core/access-state.js';
import type { Countdown } from '../core/countdown.js';
import { NEAR_MISS_EXPLANATION } from '../core/grant-coverage.js';
import { statementLenses, type LensAction } from '../core/statement-lenses.js';
import { COMMANDS } from './command-ids.js';

export class SqlCodeLens implements vscode.CodeLensProvider, vscode.HoverProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly redraws: { dispose(): void };

  constructor(private readonly state: AccessState, private readonly countdown: Countdown) {
    this.redraws = countdown.onRedraw(() => this.changed.fire());
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
    this.redraws.dispose();
    this.changed.dispose();
  }

  private lenses(document: vscode.TextDocument) {
    return statementLenses(document.getText(), this.state.activeGrants(), this.countdown.now);
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
  }
}
