// What CodeLens shows above each statement of a SQL document.
import type { Grant } from './api-types.js';
import { coverageOf, NEAR_MISS_EXPLANATION } from './grant-coverage.js';
import { shortId } from './grant-labels.js';
import { splitStatements, type SqlStatement } from './sql-statements.js';
import { formatTimeLeft } from './time-left.js';

export type LensAction =
  | { kind: 'run'; grantId: string }
  | { kind: 'useApprovedText'; grantId: string }
  | { kind: 'request'; statement: string };

export interface StatementLens {
  statement: SqlStatement;
  title: string;
  tooltip?: string;
  action: LensAction;
}

export function statementLenses(sql: string, grants: readonly Grant[], now: number): StatementLens[] {
  return splitStatements(sql).map((statement) => {
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
  });
}
