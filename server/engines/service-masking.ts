// Masking computed by the service from the engine's result, for an engine that does not yet
// enforce masking itself: the plan comes from driver lineage and the statement gate's reading
// of the statement (fail closed where either is unsure). Engines that mask through their own
// access control are not wrapped.
import { applyMasking, planMasking } from '../masking/mask-plan.js';
import { checkStatement } from '../sql/statement-gate.js';
import type { Engine, EngineColumn, RunScope } from './engine.js';

function plan(engine: Engine, sql: string, columns: EngineColumn[], scope: RunScope) {
  const plan = scope.unmask ? columns.map(() => null) : planMasking({ columns, rules: scope.masking, reads: checkStatement(sql, engine.kind) });
  return { plan, columns: columns.map((c, i) => ({ ...c, masked: plan[i] !== null })) };
}

export function withServiceMasking(engine: Engine): Engine {
  return {
    kind: engine.kind,
    close: () => engine.close(),
    async query(database, sql, limits, scope) {
      const result = await engine.query(database, sql, limits, scope);
      const masking = plan(engine, sql, result.columns, scope);
      return { ...result, columns: masking.columns, rows: applyMasking(masking.plan, result.rows) };
    },
    async open(database, sql, limits, scope) {
      const cursor = await engine.open(database, sql, limits, scope);
      const masking = plan(engine, sql, cursor.columns, scope);
      return {
        columns: masking.columns,
        get truncated() {
          return cursor.truncated;
        },
        async *batches() {
          for await (const batch of cursor.batches()) yield applyMasking(masking.plan, batch);
        },
        close: () => cursor.close(),
      };
    },
  };
}
