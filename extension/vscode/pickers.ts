// Quick picks for commands run from the palette, where no tree item or lens says which
// grant or request is meant.
import * as vscode from 'vscode';
import type { AccessRequest, Grant } from '../core/api-types.js';
import { badges, requestSummary, shortId, statementPreview } from '../core/grant-labels.js';
import { formatTimeLeft } from '../core/time-left.js';

export async function pickGrant(grants: readonly Grant[], placeHolder: string): Promise<Grant | undefined> {
  const items = grants.map((grant) => ({
    label: `#${shortId(grant.id)} ${grant.databases.join(', ')}`,
    description: [...badges(grant), grant.expireTime ? formatTimeLeft(grant.expireTime, Date.now()) : ''].filter(Boolean).join(' · '),
    detail: statementPreview(grant.statement, 100),
    grant,
  }));
  return (await vscode.window.showQuickPick(items, { placeHolder, matchOnDetail: true }))?.grant;
}

export async function pickRequest(requests: readonly AccessRequest[], placeHolder: string): Promise<AccessRequest | undefined> {
  const items = requests.map((request) => ({
    label: `#${shortId(request.id)} ${request.creator}: ${requestSummary(request)}`,
    detail: request.payload.reason,
    request,
  }));
  return (await vscode.window.showQuickPick(items, { placeHolder }))?.request;
}
