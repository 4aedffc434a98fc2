// auth.oidc in the config file: each mistake stops the start with the field to fix.
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../../server/config/load.js';
import { demoConfig } from '../../../server/demo/demo-config.js';

const GOOD = { issuer: 'https://login.example.com/realms/acme', audience: 'jit-access' };

/** The config with `oidc` as auth.oidc, parsed: the parsed auth, or the error message. */
function withOidc(oidc: Record<string, unknown>) {
  try {
    return parseConfig({ ...JSON.parse(JSON.stringify(demoConfig())), auth: { oidc } }, 'test.json').auth!.oidc!;
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.message;
  }
}

describe('config: auth.oidc', () => {
  it('fills in the defaults', () => {
    assert.deepEqual(withOidc(GOOD), { ...GOOD, groupsClaim: 'groups', clockSkew: '60s', groupRoles: {} });
  });

  it('refuses a plain-http issuer except on loopback', () => {
    assert.match(String(withOidc({ ...GOOD, issuer: 'http://login.example.com' })), /\$\.auth\.oidc\.issuer: must be an https URL \(plain http only on loopback\)/);
    assert.equal(typeof withOidc({ ...GOOD, issuer: 'http://127.0.0.1:9000' }), 'object');
  });

  it('refuses an issuer with a query, which its tokens would not carry', () => {
    assert.match(String(withOidc({ ...GOOD, issuer: 'https://login.example.com/?realm=acme' })), /\$\.auth\.oidc\.issuer: must be the issuer exactly as its tokens carry it/);
  });

  it('bounds the clock skew at five minutes', () => {
    assert.equal(typeof withOidc({ ...GOOD, clockSkew: '5m' }), 'object');
    assert.match(String(withOidc({ ...GOOD, clockSkew: '301s' })), /\$\.auth\.oidc\.clockSkew: must be at most 5m/);
  });

  it('refuses a group mapped to a project that does not exist, or to a role that does not', () => {
    assert.match(String(withOidc({ ...GOOD, groupRoles: { dbas: { projects: { shpo: ['projectOwner'] } } } })), /\$\.auth\.oidc\.groupRoles\.dbas\.projects\.shpo: unknown project "shpo"/);
    assert.match(String(withOidc({ ...GOOD, groupRoles: { dbas: { workspaceRole: 'root' } } })), /\$\.auth\.oidc\.groupRoles\.dbas\.workspaceRole/);
  });

  it('refuses unknown fields and a missing audience', () => {
    assert.match(String(withOidc({ ...GOOD, algorithms: ['HS256'] })), /\$\.auth\.oidc\.algorithms: unknown field/);
    assert.match(String(withOidc({ issuer: GOOD.issuer })), /\$\.auth\.oidc\.audience/);
  });
});
