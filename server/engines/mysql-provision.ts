// What a MySQL/MariaDB instance needs so that statements run with the engine enforcing the
// grant and the masking rules, not our reading of the SQL. Per source database `db`:
//   - a masking database (jit_mask_<db>) with one view per base table of `db`, named like the
//     table. A table with masked columns gets a view that computes the mask in SQL (so every
//     predicate, join, function, statistic and error message only ever sees masked values);
//     other tables get a plain pass-through view. Views are SQL SECURITY DEFINER, owned by the
//     account that provisions them.
//   - a masked login identity with SELECT on the masking database only (its session's default
//     database), and an unmask login identity with SELECT on `db`'s base tables only. Login
//     identities, not roles: a MariaDB role adds to a user's privileges, so a statement running
//     as the service's own account could regain everything.
// The masking database's comment records a fingerprint of the rules and the table list; a run
// whose fingerprint differs re-provisions (when the service may) or is refused.
import { createHash } from 'node:crypto';
import type { MaskingAlgorithm } from '../config/schema.js';
import type { MaskedColumnRule } from './engine.js';

export const FULL_MASK_SQL = "'******'";

export interface SchemaColumn {
  name: string;
  /** information_schema.COLUMNS.DATA_TYPE, lower case. */
  dataType: string;
}

export interface SchemaTable {
  name: string;
  columns: SchemaColumn[];
}

export interface Identities {
  masked: string;
  unmask: string;
}

const hash = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);

/** A readable, length-safe name part: plain characters of `name`, cut, plus a hash when changed. */
function namePart(name: string, max: number): string {
  const plain = name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (plain === name && plain.length <= max) return plain;
  return `${plain.slice(0, max - 9)}_${hash(name, 8)}`;
}

/** The masking database of source database `db` (at most 64 characters, [a-z0-9_]). */
export function maskDatabaseName(db: string): string {
  return `jit_mask_${namePart(db, 55)}`;
}

/**
 * Login names of the two identities of `db` on instance `instanceId`: at most 32 characters
 * (MySQL's limit; MariaDB allows 80), unique per instance and database.
 */
export function identityNames(instanceId: string, db: string): Identities {
  const tag = `${namePart(db, 12)}_${hash(`${instanceId}\0${db}`, 8)}`;
  return { masked: `jitm_${tag}`, unmask: `jitu_${tag}` };
}

export const quoteName = (name: string) => `\`${name.replace(/`/g, '``')}\``;
export const quoteString = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
const account = (user: string, host: string) => `${quoteString(user)}@${quoteString(host)}`;

const TIMESTAMP_TYPES = new Set(['datetime', 'timestamp']);
const BINARY_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob', 'bit']);

/**
 * The column's value as the text the service shows for it (server/engines/values.ts): what the
 * TypeScript algorithms mask, so SQL and TypeScript masks agree.
 */
function asText(column: SchemaColumn): string {
  const c = quoteName(column.name);
  if (TIMESTAMP_TYPES.has(column.dataType)) return `CONCAT(REPLACE(CAST(${c} AS CHAR CHARACTER SET utf8mb4), ' ', 'T'), 'Z')`;
  if (BINARY_TYPES.has(column.dataType)) return `REPLACE(CONVERT(TO_BASE64(${c}) USING utf8mb4), CHAR(10), '')`;
  return `CAST(${c} AS CHAR CHARACTER SET utf8mb4)`;
}

/** SQL computing `algorithm` over the column, with the outputs of server/masking/algorithms.ts. */
export function maskExpression(column: SchemaColumn, algorithm: MaskingAlgorithm): string {
  const c = quoteName(column.name);
  const text = asText(column);
  switch (algorithm) {
    case 'full':
      return `CASE WHEN ${c} IS NULL THEN NULL ELSE CONVERT(${FULL_MASK_SQL} USING utf8mb4) END`;
    case 'md5':
      return `CASE WHEN ${c} IS NULL THEN NULL ELSE CONVERT(MD5(${text}) USING utf8mb4) END`;
    case 'partial': {
      const keep = `LEAST(3, FLOOR(CHAR_LENGTH(${text}) / 5))`;
      return (
        `CASE WHEN ${c} IS NULL THEN NULL WHEN ${keep} = 0 THEN CONVERT(${FULL_MASK_SQL} USING utf8mb4) ` +
        `ELSE CONCAT(LEFT(${text}, ${keep}), ${FULL_MASK_SQL}, RIGHT(${text}, ${keep})) END`
      );
    }
  }
}

/**
 * The rule masking `table`.`column`, if any. Names compare case-insensitively and a rule's
 * table may be written "db.table": a rule that could mean this column masks it (the safe mistake).
 */
export function ruleFor(rules: MaskedColumnRule[], table: string, column: string): MaskedColumnRule | undefined {
  const bare = (name: string) => name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  return rules.find((r) => bare(r.table) === table.toLowerCase() && r.column.toLowerCase() === column.toLowerCase());
}

/** The view of `table` in the masking database: masked columns computed, others as they are. */
export function viewSelect(db: string, table: SchemaTable, rules: MaskedColumnRule[]): string {
  const columns = table.columns.map((column) => {
    const rule = ruleFor(rules, table.name, column.name);
    return `${rule ? maskExpression(column, rule.algorithm) : quoteName(column.name)} AS ${quoteName(column.name)}`;
  });
  return `SELECT ${columns.join(', ')} FROM ${quoteName(db)}.${quoteName(table.name)}`;
}

/**
 * What provisioning of `db` amounts to: a hash of the statements that do it (views, grants, the
 * passwords through a one-way hash), so any change to the tables, the rules, the identities or
 * to this code makes the recorded provisioning stale.
 */
export function fingerprintOf(plan: Omit<ProvisionPlan, 'fingerprint'>): string {
  return `jit:${hash(JSON.stringify(provisionStatements({ ...plan, fingerprint: '' })), 32)}`;
}

export interface ProvisionPlan {
  db: string;
  maskDb: string;
  host: string;
  identities: Identities;
  passwords: Identities;
  tables: SchemaTable[];
  /** Views in the masking database that no longer have a table. */
  staleViews: string[];
  rules: MaskedColumnRule[];
  fingerprint: string;
  mariadb: boolean;
}

/** The statements that bring `db`'s provisioning up to date, in order. */
export function provisionStatements(plan: ProvisionPlan): string[] {
  const { db, maskDb, host, identities, passwords } = plan;
  const masked = account(identities.masked, host);
  const unmask = account(identities.unmask, host);
  const out: string[] = [`CREATE DATABASE IF NOT EXISTS ${quoteName(maskDb)} CHARACTER SET utf8mb4`];
  for (const view of plan.staleViews) out.push(`DROP VIEW IF EXISTS ${quoteName(maskDb)}.${quoteName(view)}`);
  for (const table of plan.tables) {
    out.push(
      `CREATE OR REPLACE DEFINER = CURRENT_USER SQL SECURITY DEFINER VIEW ${quoteName(maskDb)}.${quoteName(table.name)} AS ${viewSelect(db, table, plan.rules)}`,
    );
  }
  for (const [user, pw] of [
    [masked, passwords.masked],
    [unmask, passwords.unmask],
  ]) {
    out.push(`CREATE USER IF NOT EXISTS ${user} IDENTIFIED BY ${quoteString(pw)}`);
    out.push(`ALTER USER ${user} IDENTIFIED BY ${quoteString(pw)}`);
    out.push(`REVOKE ALL PRIVILEGES, GRANT OPTION FROM ${user}`);
    if (plan.mariadb) out.push(`SET DEFAULT ROLE NONE FOR ${user}`);
  }
  out.push(`GRANT SELECT ON ${quoteName(maskDb)}.* TO ${masked}`);
  for (const table of plan.tables) out.push(`GRANT SELECT ON ${quoteName(db)}.${quoteName(table.name)} TO ${unmask}`);
  // Last: a provisioning cut short stays stale and is done again.
  out.push(`ALTER DATABASE ${quoteName(maskDb)} COMMENT = ${quoteString(plan.fingerprint)}`);
  return out;
}
