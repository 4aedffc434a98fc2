// The tables an access request reads, per chosen database, as that database's engine
// resolves the statement at request time: its case folding, quoting, schemas and search path,
// views followed to their base tables, CTEs not counted. Approval rules route on these names,
// never on the statement's spelling of them.
//
// Fail closed: when an engine cannot tell what a statement reads (a function that runs SQL
// text or reads a relation named in a string), the request is refused rather than routed as
// if it read every table: a refusal says what to change, while routing "everything" would
// send routine requests to the strictest approvers without saying why.
import { parseDuration } from '../../contract/duration.js';
import { EngineError, UnknownTableError, type EngineKind, type RunScope } from '../engines/engine.js';
import { locateName } from '../sql/locate.js';
import type { State } from '../store/config-store.js';
import type { Deps } from './deps.js';
import { DomainError, invalid } from './errors.js';

export interface ReadTarget {
  /** "instance/database", as the request names it. */
  name: string;
  instance: string;
  database: string;
  engine: EngineKind;
}

/** What a run of `unmask` on `database` ("instance/database") may see: the engine masks by it. */
export function runScope(state: State, database: string, unmask: boolean): RunScope {
  return {
    unmask,
    masking: state.masking.filter((r) => r.database === database).map(({ table, column, algorithm }) => ({ table, column, algorithm })),
  };
}

function refusal(err: unknown, statement: string, target: ReadTarget): unknown {
  if (err instanceof UnknownTableError) {
    const at = locateName(statement, target.engine, err.table);
    const where = at ? ` (line ${at.line}, column ${at.column})` : '';
    return invalid(`The statement reads "${err.table}", which is not a table or view of database ${target.name}${where}`, {
      field: 'statement', database: target.name, table: err.table, ...at,
    });
  }
  if (err instanceof EngineError && (err.kind === 'invalid' || err.kind === 'read_only')) {
    return invalid(`Database ${target.name} refused the statement: ${err.message}`, { field: 'statement', database: target.name });
  }
  if (err instanceof EngineError) {
    return new EngineError(err.kind, `Approval routing asks database ${target.name} which tables the statement reads, and it could not answer (${err.message}): try again once it is reachable`);
  }
  return err;
}

/** The tables the statement reads on each target, by target name; throws the refusal otherwise. */
export async function tablesRead(deps: Deps, state: State, statement: string, targets: ReadTarget[], unmask: boolean): Promise<Map<string, string[]>> {
  const timeoutMs = parseDuration(state.workspace.queryTimeout)!;
  const out = new Map<string, string[]>();
  for (const target of targets) {
    const engine = deps.engines.get(target.instance);
    if (!engine) throw new DomainError('UNAVAILABLE', `The database instance "${target.instance}" is not available to tell which tables the statement reads: try again later`);
    const reads = await engine.reads(target.database, statement, { timeoutMs }, runScope(state, target.name, unmask)).catch((err: unknown) => {
      throw refusal(err, statement, target);
    });
    if ('unknown' in reads) {
      throw invalid(
        `Which tables the statement reads on ${target.name} cannot be told before it runs (${reads.unknown}), so approval could not be routed: ` +
          'name the tables in the statement itself',
        { field: 'statement', database: target.name },
      );
    }
    out.set(target.name, [...new Set(reads.tables.map((t) => t.table))]);
  }
  return out;
}
