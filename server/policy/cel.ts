// The CEL environments for approval conditions, one per source, with every attribute typed
// so a condition that names a missing field or compares the wrong types is refused when it
// is saved, not discovered when a request arrives.
import { Environment } from '@marcbachmann/cel-js';
import type { ApprovalSource } from '../config/schema.js';

const RESOURCE = {
  project_id: 'string',
  environment_id: 'string',
  instance_id: 'string',
  db_engine: 'string',
  database_name: 'string',
} as const;

function environment(request: Record<string, string>, resource: Record<string, string>): Environment {
  return new Environment({ limits: { maxAstNodes: 2000, maxDepth: 50, maxListElements: 200, maxMapEntries: 200, maxCallArguments: 16 } })
    .registerVariable({ name: 'request', schema: request })
    .registerVariable({ name: 'resource', schema: resource });
}

const ENVIRONMENTS: Record<ApprovalSource, Environment> = {
  REQUEST_ACCESS: environment(
    { unmask: 'bool', data_export: 'bool', expiration_seconds: 'int', statement: 'string' },
    { ...RESOURCE, table_name: 'string' },
  ),
  REQUEST_ROLE: environment({ role: 'string', expiration_seconds: 'int' }, RESOURCE),
};

export interface ConditionProblem {
  message: string;
  /** 1-based line and column of the offending token, when the checker knows it. */
  line?: number;
  column?: number;
}

interface CelErrorLike {
  summary?: string;
  message: string;
  range?: { start: number };
}

function problem(condition: string, err: CelErrorLike): ConditionProblem {
  const message = err.summary ?? err.message.split('\n')[0];
  const start = err.range?.start;
  if (start === undefined) return { message };
  const before = condition.slice(0, start).split('\n');
  return { message, line: before.length, column: before[before.length - 1].length + 1 };
}

/** Type-checks a condition; it must be a bool expression over the source's attributes. */
export function checkCondition(source: ApprovalSource, condition: string): ConditionProblem | undefined {
  const env = ENVIRONMENTS[source];
  let result: ReturnType<Environment['check']>;
  try {
    result = env.check(condition);
  } catch (err) {
    return problem(condition, err as CelErrorLike);
  }
  if (!result.valid) return problem(condition, result.error as unknown as CelErrorLike);
  if (result.type !== 'bool') return { message: `the condition must be a bool, but it is ${result.type}` };
  return undefined;
}

// Every way to read the table is a use of `resource` other than naming one of these fields.
const TABLE_INDEPENDENT_FIELD = new RegExp(String.raw`\bresource\s*\.\s*(?:${Object.keys(RESOURCE).join('|')})\b`, 'g');

/**
 * Whether a condition can answer differently for two tables of one database: it can unless it
 * reads the resource only by naming its table-independent fields. Indexing the resource
 * (`resource["table" + "_name"]`), passing it whole or ranging over it counts as reading the
 * table, and so does the word inside a string: a false yes only costs speed.
 */
export function readsTable(condition: string): boolean {
  return /\bresource\b/.test(condition.replace(TABLE_INDEPENDENT_FIELD, ''));
}

export type CompiledCondition = (context: Record<string, unknown>) => unknown;

export function compileCondition(source: ApprovalSource, condition: string): CompiledCondition {
  return ENVIRONMENTS[source].parse(condition) as unknown as CompiledCondition;
}
