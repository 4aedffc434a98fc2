// The user's path through the API, as the extension walks it: request, approval, run.
import { expectStatus, type Client } from './http.js';
import { INSTANCE, PROJECT } from './fixture.js';

export interface Actors {
  requester: Client;
  approver: Client;
}

export const database = (name: string) => `${INSTANCE}/${name}`;

export async function requestAccess(requester: Client, db: string, statement: string, extra: { export?: boolean } = {}) {
  const reply = await requester.json('POST', `/projects/${PROJECT}/access-requests`, {
    databases: [database(db)], statement, duration: '1d', reason: 'benchmark', ...extra,
  });
  return expectStatus(reply, 201, 'create access request') as { request: { id: string }; grant: { id: string } };
}

export async function approve(approver: Client, requestId: string) {
  expectStatus(await approver.json('POST', `/requests/${requestId}/approve`, {}), 200, 'approve');
}

export async function runGrant(requester: Client, grantId: string) {
  return expectStatus(await requester.json('POST', `/grants/${grantId}/run`, {}), 200, 'run grant') as { rowCount: number };
}

/** An ACTIVE grant for `statement` on database `db`, ready to run. */
export async function activeGrant(actors: Actors, db: string, statement: string, extra: { export?: boolean } = {}): Promise<string> {
  const { request, grant } = await requestAccess(actors.requester, db, statement, extra);
  await approve(actors.approver, request.id);
  return grant.id;
}
