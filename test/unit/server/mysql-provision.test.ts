// Names and fingerprints of MySQL/MariaDB provisioning (issue 13); the SQL itself is run on
// MariaDB by test/engines/masking-mysql.test.ts.
import assert from 'node:assert/strict';
import { fingerprintOf, identityNames, maskDatabaseName, provisionStatements, type ProvisionPlan } from '../../../server/engines/mysql-provision.js';

const plan = (edit: Partial<ProvisionPlan> = {}): Omit<ProvisionPlan, 'fingerprint'> => ({
  db: 'crm',
  maskDb: 'jit_mask_crm',
  host: '%',
  identities: identityNames('prod', 'crm'),
  passwords: { masked: 'a', unmask: 'b' },
  tables: [{ name: 'customers', columns: [{ name: 'id', dataType: 'int' }, { name: 'email', dataType: 'varchar' }] }],
  staleViews: [],
  rules: [{ table: 'customers', column: 'email', algorithm: 'partial' }],
  mariadb: true,
  ...edit,
});

describe('mysql provisioning', () => {
  it('names masking databases and identities within MySQL limits, per instance and database', () => {
    for (const db of ['crm', 'a-b$c', 'x'.repeat(128), 'Shop_DB']) {
      const mask = maskDatabaseName(db);
      assert.match(mask, /^jit_mask_[a-z0-9_]+$/);
      assert.ok(mask.length <= 64, mask);
      const ids = identityNames('prod', db);
      for (const name of Object.values(ids)) {
        assert.match(name, /^jit[mu]_[a-z0-9_]+$/);
        assert.ok(name.length <= 32, name);
      }
    }
    assert.equal(maskDatabaseName('crm'), 'jit_mask_crm');
    assert.notEqual(maskDatabaseName('Shop'), maskDatabaseName('shop'));
    assert.notDeepEqual(identityNames('prod', 'crm'), identityNames('staging', 'crm'));
    assert.notDeepEqual(identityNames('prod', 'crm'), identityNames('prod', 'crm2'));
  });

  it('grants the masked identity the masking database only, and the unmask identity base tables only', () => {
    const grants = provisionStatements({ ...plan(), fingerprint: 'jit:x' }).filter((s) => s.startsWith('GRANT'));
    const ids = identityNames('prod', 'crm');
    assert.deepEqual(grants, [
      `GRANT SELECT ON \`jit_mask_crm\`.* TO '${ids.masked}'@'%'`,
      `GRANT SELECT ON \`crm\`.\`customers\` TO '${ids.unmask}'@'%'`,
    ]);
  });

  it('changes the fingerprint with the rules, the tables, the passwords and stale views', () => {
    const base = fingerprintOf(plan());
    assert.equal(fingerprintOf(plan()), base);
    assert.notEqual(fingerprintOf(plan({ rules: [] })), base);
    assert.notEqual(fingerprintOf(plan({ rules: [{ table: 'customers', column: 'email', algorithm: 'md5' }] })), base);
    assert.notEqual(fingerprintOf(plan({ tables: [] })), base);
    assert.notEqual(fingerprintOf(plan({ passwords: { masked: 'a', unmask: 'c' } })), base);
    assert.notEqual(fingerprintOf(plan({ staleViews: ['old'] })), base);
    assert.match(base, /^jit:[0-9a-f]{32}$/);
  });
});
