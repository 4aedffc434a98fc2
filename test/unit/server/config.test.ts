import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../../../contract/duration.js';
import { ConfigError, parseConfig } from '../../../server/config/load.js';
import { demoConfig } from '../../../server/demo/demo-config.js';

/** The demo config as plain JSON (tokens included), for editing into bad files. */
function rawDemo(): any {
  const c = JSON.parse(JSON.stringify(demoConfig()));
  c.users.forEach((u: any, i: number) => (u.token = `token-of-user-${i}`));
  return c;
}

function refusedAt(edit: (c: any) => void, ...words: RegExp[]) {
  const raw = rawDemo();
  edit(raw);
  assert.throws(() => parseConfig(raw, 'test.json'), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /^invalid config test\.json: /);
    for (const w of words) assert.match(err.message, w);
    return true;
  });
}

describe('durations', () => {
  it('parses <int>s|m|h|d', () => {
    assert.equal(parseDuration('1s'), 1000);
    assert.equal(parseDuration('15m'), 900_000);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('7d'), 604_800_000);
    assert.equal(parseDuration('999999999s'), 999_999_999_000);
  });

  it('refuses anything else', () => {
    for (const text of ['', '0s', '01h', '1', 'h', '1.5h', '-1h', '+1h', '1H', ' 1h', '1h ', '1 h', '1ms', '1w', '1000000000s', '1h30m']) {
      assert.equal(parseDuration(text), undefined, JSON.stringify(text));
    }
  });

  it('formats the shortest exact string', () => {
    assert.equal(formatDuration(86_400_000), '1d');
    assert.equal(formatDuration(5_400_000), '90m');
    assert.equal(formatDuration(3_600_000), '1h');
    assert.equal(formatDuration(61_000), '61s');
  });
});

describe('config validation', () => {
  it('the demo config is valid and fills defaults', () => {
    const c = parseConfig({ users: [], projects: [] }, 'x');
    assert.equal(c.workspace.pendingRequestTtl, '24h');
    assert.deepEqual(c.approvalRules, { REQUEST_ACCESS: [], REQUEST_ROLE: [] });
    assert.equal(parseConfig(rawDemo(), 'x').projects[0].id, 'shop');
  });

  it('names the JSON path of the bad field', () => {
    refusedAt((c) => (c.users[0].workspaceRole = 'root'), /\$\.users\[0\]\.workspaceRole: /);
    refusedAt((c) => (c.workspace.maxGrantDuration = '1 week'), /\$\.workspace\.maxGrantDuration: must be a duration like/);
    refusedAt((c) => (c.projects[0].members[1].roles = ['owner']), /\$\.projects\[0\]\.members\[1\]\.roles\[0\]/);
    refusedAt((c) => (c.projects[0].databases[0].name = 'hr'), /\$\.projects\[0\]\.databases\[0\]\.name: must be "<instance>\/<database>"/);
    refusedAt((c) => (c.masking[2].algorithm = 'rot13'), /\$\.masking\[2\]\.algorithm/);
    refusedAt((c) => (c.approvalRules.REQUEST_ACCESS[0].steps = [[]]), /\$\.approvalRules\.REQUEST_ACCESS\[0\]\.steps\[0\]/);
    refusedAt((c) => (c.users[1].email = 'bob'), /\$\.users\[1\]\.email/);
    refusedAt((c) => (c.users[1].token = 'short'), /\$\.users\[1\]\.token: must be at least 8 characters/);
  });

  it('refuses unknown fields, so a typo in a security setting is not ignored', () => {
    refusedAt((c) => (c.workspace.enableDataExports = false), /\$\.workspace\.enableDataExports: unknown field/);
    refusedAt((c) => (c.projects[0].settings.jitAcess = false), /\$\.projects\[0\]\.settings\.jitAcess: unknown field/);
    refusedAt((c) => (c.debug = true), /\$\.debug: unknown field/);
  });

  it('checks references and uniqueness across the file', () => {
    refusedAt((c) => (c.projects[0].members[0].user = 'mallory'), /\$\.projects\[0\]\.members\[0\]\.user: unknown user "mallory"/);
    refusedAt((c) => (c.projects[0].databases[0].name = 'pg/hr'), /\$\.projects\[0\]\.databases\[0\]\.name: unknown instance in "pg\/hr"/);
    refusedAt((c) => (c.users[1].id = 'alice'), /\$\.users\[1\]\.id: duplicate id "alice"/);
    refusedAt((c) => (c.users[1].token = c.users[0].token), /\$\.users\[1\]\.token: token is used by another user/);
    refusedAt((c) => (c.workspace.minGrantDuration = '8d'), /\$\.workspace\.minGrantDuration: must not exceed maxGrantDuration/);
  });
});
