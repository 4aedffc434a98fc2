// Shows a failure with the one action that gets the user going again.
import * as vscode from 'vscode';
import { ApiError, describeError, NEXT_STEP_LABELS, type NextStep } from '../core/api-errors.js';
import { COMMANDS } from './command-ids.js';

const NEXT_STEP_COMMANDS: Record<NextStep, string> = {
  signIn: COMMANDS.signIn,
  startService: COMMANDS.startService,
  requestAccess: COMMANDS.requestDataAccess,
  refresh: COMMANDS.refresh,
};

export async function showError(error: unknown, serverUrl: string): Promise<void> {
  if ((error instanceof ApiError && error.code === 'CANCELLED') || error instanceof vscode.CancellationError) return;
  const friendly = describeError(error, serverUrl);
  const actions = friendly.nextStep ? [NEXT_STEP_LABELS[friendly.nextStep]] : [];
  const picked = await vscode.window.showErrorMessage(friendly.message, ...actions);
  if (picked && friendly.nextStep) await vscode.commands.executeCommand(NEXT_STEP_COMMANDS[friendly.nextStep]);
}

export function nextStepCommand(step: NextStep): string {
  return NEXT_STEP_COMMANDS[step];
}
