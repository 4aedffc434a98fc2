// Root hook for mutation runs (stryker.config.mjs): every test checks its statements afresh.
// The statement gate remembers accepted statements (and its parsers), and a remembered answer — computed while
// no mutant was active — would hide a mutant of the gate from every later test.
import { resetStatementGate } from '../../server/sql/statement-gate.js';

export const mochaHooks = {
  beforeEach() {
    resetStatementGate();
  },
};
