import type { RunScope } from '../../server/engines/engine.js';

/** A run with no masking rules on its database: what engine-level tests use unless they test masking. */
export const NO_MASKING: RunScope = Object.freeze({ unmask: false, masking: [] });
