// What CodeLens shows above each statement of a SQL document.
import type { Grant } from './api-types.js';
import { coverageOf, NEAR_MISS_EXPLANATION } from './grant-coverage.js';
import { shortId } from './grant-labels.js';
import { roleLensTitle, type RoleTarget } from './role-targets.js';
import { splitStatements, type SqlStatement } from './sql-statements.js';
import { formatTimeLeft } from './time-left.js';

export type LensAction =
  | { kind: 'run'; grantId: string }
  | { kind: 'useApprovedText'; grantId: string }
  | { kind: 'request'; statement: string }
  | { kind: 'runWithRole'; statement: string };

export interface StatementLens {
  statement: SqlStatement;
  title: string;
  tooltip?: string;
  action: LensAction;
}

/** Where the user may run with a role, and the target remembered for this document. */
export interface RoleLensInput {
  targets: readonly RoleTarget[];
  remembered?: string;
}

/** One lens per statement from the grants, then "Run with role" beside it while a role allows querying. */
export function statementLenses(sql: string, grants: readonly Grant[], now: number, roles: RoleLensInput = { targets: [] }): StatementLens[] {
  return splitStatements(sql).flatMap((statement) => {
    const lens = grantLens(statement, grants, now);
    if (roles.targets.length === 0) return [lens];
    const title = roleLensTitle(roles.targets, roles.remembered);
    return [lens, { statement, title, tooltip: 'Runs this statement read-only with your project role', action: { kind: 'runWithRole', statement: statement.text } }];
  });
}

function grantLens(statement: SqlStatement, grants: readonly Grant[], now: number): StatementLens {
  const coverage = coverageOf(statement, grants, now);
  if (coverage.kind === 'covered') {
    const { grant } = coverage;
    const left = grant.expireTime ? ` · ${formatTimeLeft(grant.expireTime, now)}` : '';
    return { statement, title: `Run with grant #${shortId(grant.id)}${left}`, tooltip: `Runs the approved statement on ${grant.databases.join(', ')}`, action: { kind: 'run', grantId: grant.id } };
  }
  if (coverage.kind === 'nearMiss') {
    return {
      statement,
      title: `Differs from grant #${shortId(coverage.grant.id)} — use the approved text as-is`,
      tooltip: NEAR_MISS_EXPLANATION,
      action: { kind: 'useApprovedText', grantId: coverage.grant.id },
    };
  }
  return { statement, title: 'Request Data Access', tooltip: 'Ask for time-boxed access to run this statement', action: { kind: 'request', statement: statement.text } };
}
