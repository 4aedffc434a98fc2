// What every benchmark suite returns: rows for the summary table, notes explaining misses,
// the raw numbers for its JSON file, and integrity failures (the only thing CI fails on).

export type Status = 'met' | 'missed' | 'info' | 'not measured';

export interface Row {
  measure: string;
  result: string;
  goal?: string;
  status: Status;
}

export interface Outcome {
  rows: Row[];
  /** Why a goal was missed, what is slow, what was not measured. */
  notes: string[];
  data: Record<string, unknown>;
  /** Broken promises (a run without its audit line, a broken chain, errors): fail the run. */
  failures: string[];
}

export interface Context {
  quick: boolean;
  log(message: string): void;
}

export interface Suite {
  name: string;
  title: string;
  /** Why the suite cannot run here (a missing server, say); it is then reported as not measured. */
  unavailable?: string;
  run(ctx: Context): Promise<Outcome>;
}

export const against = (met: boolean): Status => (met ? 'met' : 'missed');

export function outcome(): Outcome {
  return { rows: [], notes: [], data: {}, failures: [] };
}
