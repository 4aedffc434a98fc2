'use strict';
// The engine suite (needs the servers of test/setup/db-servers.sh); kept out of the default
// spec, which is unit + api.
const base = require('../../.mocharc.cjs');

module.exports = { ...base, spec: ['test/engines/**/*.test.ts'], timeout: 60000 };
