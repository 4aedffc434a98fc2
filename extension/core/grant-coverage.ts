// Which active grant covers a statement in the editor. The service runs the approved text
// byte for byte, so only the identical text counts; a near miss is explained, not accepted.
import type { Grant } from './api-types.js';
import type { SqlStatement } from './sql-statements.js';

export type Coverage =
  | { kind: 'covered'; grant: Grant }
  | { kind: 'nearMiss'; grant: Grant }
  | { kind: 'none' };

export function coverageOf(statement: Pick<SqlStatement, 'text'>, grants: readonly Grant[], now: number): Coverage {
  const usable = grants.filter((g) => g.state === 'ACTIVE' && (!g.expireTime || Date.parse(g.expireTime) > now));
  const exact = usable.find((g) => g.statement === statement.text || stripTerminator(g.statement) === statement.text);
  if (exact) return { kind: 'covered', grant: exact };
  const loose = normalize(statement.text);
  const near = usable.find((g) => normalize(g.statement) === loose);
  return near ? { kind: 'nearMiss', grant: near } : { kind: 'none' };
}

function stripTerminator(text: string): string {
  return text.replace(/;$/, '');
}

function normalize(text: string): string {
  return text.replace(/[\s;]+$/, '').replace(/\s+/g, ' ').trim();
}

export const NEAR_MISS_EXPLANATION =
  'This statement differs from the approved one only in whitespace or semicolons. The grant runs the approved text exactly as it was approved — use it as-is to run with this grant.';
