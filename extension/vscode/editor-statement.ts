// The statement a command acts on when the palette or the editor title runs it.
import type * as vscode from 'vscode';
import { splitStatements, statementAt } from '../core/sql-statements.js';
import { selectedText } from './request-form-panel.js';

/** The selection, else the statement under the cursor in a SQL editor. */
export function statementFromEditor(editor: vscode.TextEditor | undefined): string | undefined {
  const selected = selectedText(editor);
  if (selected || !editor || editor.document.languageId !== 'sql') return selected;
  const statements = splitStatements(editor.document.getText());
  return statementAt(statements, editor.document.offsetAt(editor.selection.active))?.text;
}
