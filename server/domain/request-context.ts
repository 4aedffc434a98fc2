// What an approver weighs besides the request itself: where the databases run (a production
// badge), the rule that routed it, the tables the statement reads, and for Unmask the masked
// columns it would reveal.
import type { State } from '../store/config-store.js';
import type { ApprovalRequest } from './types.js';

/** Environments whose ids start with "prod" (prod, production, prod-eu) are production. */
const PRODUCTION = /^prod/i;

export interface TableRef {
  database: string;
  table: string;
}

/**
 * The database × table targets the request was routed on, as each database's engine resolved
 * them at creation; older requests recorded one list for all their databases.
 */
export function routedTables(request: ApprovalRequest): TableRef[] {
  if (request.type !== 'ACCESS_GRANT') return [];
  const { reads, databases, tables } = request.payload;
  if (reads) return reads.flatMap((r) => r.tables.map((table) => ({ database: r.database, table })));
  return databases.flatMap((database) => tables.map((table) => ({ database, table })));
}

export function requestContext(state: State, request: ApprovalRequest) {
  const project = state.projects.find((p) => p.id === request.project);
  const read = routedTables(request);
  const reads = (database: string, table: string) => read.some((t) => t.database === database && t.table.toLowerCase() === table.toLowerCase());
  const unmask = request.type === 'ACCESS_GRANT' && request.payload.unmask;
  return {
    databases: request.payload.databases.map((name) => {
      const environment = project?.databases.find((d) => d.name === name)?.environment ?? 'unknown';
      return { name, environment, production: PRODUCTION.test(environment) };
    }),
    rule: { title: request.rule.title, source: request.rule.source },
    tablesRead: read,
    revealsMaskedColumns: unmask
      ? state.masking.filter((m) => reads(m.database, m.table)).map(({ database, table, column }) => ({ database, table, column }))
      : [],
  };
}
