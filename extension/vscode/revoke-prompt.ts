// Revoking asks twice: a modal confirm (it cuts off queries running now), then an optional
// reason the holder is told. Escape at either step keeps the access.
import * as vscode from 'vscode';

/** The reason given (undefined when left empty), or undefined when the user backed out. */
export async function confirmRevoke(question: string, input: vscode.InputBoxOptions): Promise<{ reason?: string } | undefined> {
  if ((await vscode.window.showWarningMessage(question, { modal: true }, 'Revoke')) !== 'Revoke') return undefined;
  const reason = await vscode.window.showInputBox(input);
  if (reason === undefined) return undefined;
  return { reason: reason.trim() || undefined };
}
