// Provisioning of a PostgreSQL database for least-privilege runs, after PostgreSQL Anonymizer's
// dynamic masking: statements never run as the service's account but as one of two LOGIN
// identities per database —
//   masked:  search_path puts the masking schema (jit_mask) first; it may read the masking
//            views there (owned by the service's account, so they read the base tables with
//            its privileges, and compute the masks in SQL), and SELECT on every relation whose
//            rows cannot carry a masked value: no privilege on masked tables, their inheritance
//            family, or any view / materialized view whose dependency closure reaches one;
//   unmask:  SELECT on the database's relations, nothing more.
// Both are NOINHERIT, members of no role, without CREATE anywhere we own. The whole state is
// rebuilt by one idempotent script (a DO block), which the service runs itself where its
// account may (database owner with CREATEROLE) and `jit-server provision` prints for a DBA where
// it may not. The script records a fingerprint of the rules and of the catalog it saw in the
// masking schema's comment; a run first compares both and re-provisions (or refuses) on change.
import { createHash } from 'node:crypto';
import type { MaskedColumnRule } from './engine.js';
import type { IdentitySecrets } from './identity-secrets.js';

export const MASK_SCHEMA = 'jit_mask';
/** Bumped whenever the script below changes what it creates. */
const SCRIPT_VERSION = 1;
const STATE_PREFIX = 'jit-access';

export interface Identities {
  masked: string;
  unmask: string;
  passwords: { masked: string; unmask: string };
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9_]/g, '_');

/**
 * The identity names of one database of one instance (at most 63 bytes, PostgreSQL's limit).
 * Readable parts for the DBA, and a hash of the exact pair, so that no two pairs share a name
 * ("a-b" and "a_b", or instance "a_b" + database "c" and instance "a" + database "b_c").
 */
export function identitiesFor(instanceId: string, database: string, secrets: IdentitySecrets): Identities {
  const hash = createHash('sha256').update(`${instanceId}\0${database}`).digest('hex').slice(0, 8);
  const name = (suffix: string) => `jit_${slug(instanceId).slice(0, 20)}_${slug(database).slice(0, 20)}_${hash}_${suffix}`;
  const masked = name('masked');
  const unmask = name('unmask');
  return { masked, unmask, passwords: { masked: secrets.password(instanceId, masked), unmask: secrets.password(instanceId, unmask) } };
}

const sortedRules = (rules: MaskedColumnRule[]) =>
  rules
    .map((r) => ({ table: r.table, column: r.column, algorithm: r.algorithm }))
    .sort((a, b) => `${a.table}\0${a.column}`.localeCompare(`${b.table}\0${b.column}`));

/** Fingerprint of what the service wants provisioned: rules, identities, their passwords, the script. */
export function rulesFingerprint(rules: MaskedColumnRule[], ids: Identities): string {
  return createHash('sha256')
    .update(JSON.stringify({ v: SCRIPT_VERSION, rules: sortedRules(rules), ids: [ids.masked, ids.unmask], pw: [ids.passwords.masked, ids.passwords.unmask] }))
    .digest('hex')
    .slice(0, 32);
}

const USER_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema', '${MASK_SCHEMA}') AND n.nspname !~ '^pg_(toast|temp)'`;

/**
 * Fingerprint of the catalog provisioning depends on: relations and their columns, view
 * dependencies, inheritance. A new table, column or view, or a view redefined over a masked
 * table, changes it.
 */
export const CATALOG_FINGERPRINT = `(SELECT md5(coalesce(string_agg(DISTINCT x, ',' ORDER BY x), '')) FROM (
    SELECT c.oid::text || c.relkind::text || c.relowner::text || ':' || coalesce((SELECT string_agg(a.attnum || '=' || a.attname, ';' ORDER BY a.attnum)
             FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '') AS x
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${USER_SCHEMA}
    UNION ALL
    SELECT 'd' || rw.ev_class || '>' || d.refobjid
      FROM pg_rewrite rw JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid AND d.refclassid = 'pg_class'::regclass
      JOIN pg_class c ON c.oid = rw.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE d.refobjid <> rw.ev_class AND ${USER_SCHEMA}
    UNION ALL
    SELECT 'i' || inhrelid || '>' || inhparent FROM pg_inherits) s)`;

/** What a run reads to decide whether the database is provisioned as wanted (service account). */
export const STATE_QUERY = `SELECT (SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = '${MASK_SCHEMA}') AS state,
  ${CATALOG_FINGERPRINT} AS catalog`;

export type ProvisionState = 'current' | 'rules-changed' | 'catalog-changed' | 'missing';

export function readState(row: { state: string | null; catalog: string } | undefined, rulesFp: string): ProvisionState {
  const [prefix, rules, catalog] = (row?.state ?? '').split(' ');
  if (prefix !== STATE_PREFIX) return 'missing';
  if (rules !== rulesFp) return 'rules-changed';
  return catalog === row!.catalog ? 'current' : 'catalog-changed';
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The value expression that masks column `col` (an identifier, quoted) of alias t, as server/masking/algorithms.ts does. */
function maskExpression(): string {
  // Built in plpgsql with format(): %1$s is the column's text, as t."col"::text.
  return `CASE col.algorithm
      WHEN 'full' THEN format('CASE WHEN %1$s IS NULL THEN NULL ELSE ''******'' END', v)
      WHEN 'md5' THEN format('md5(%1$s)', v)
      ELSE format('CASE WHEN %1$s IS NULL THEN NULL WHEN char_length(%1$s) < 5 THEN ''******'' '
        || 'ELSE left(%1$s, least(3, char_length(%1$s) / 5)) || ''******'' || right(%1$s, least(3, char_length(%1$s) / 5)) END', v)
    END`;
}

/**
 * The script for one database: run it connected to that database, as its owner with CREATEROLE
 * (or a superuser), in one transaction.
 */
export function provisionSql(rules: MaskedColumnRule[], ids: Identities): string {
  const fp = rulesFingerprint(rules, ids);
  const body = `
DECLARE
  masked_role constant text := ${quote(ids.masked)};
  unmask_role constant text := ${quote(ids.unmask)};
  passwords constant jsonb := ${quote(JSON.stringify({ [ids.masked]: ids.passwords.masked, [ids.unmask]: ids.passwords.unmask }))};
  rules constant jsonb := ${quote(JSON.stringify(sortedRules(rules)))};
  mask_schema constant text := '${MASK_SCHEMA}';
  r record;
  col record;
  v text;
  role_name text;
  view_name text;
  cols text;
  masked_oids oid[];
  hidden oid[];
BEGIN
  -- 1. The identities: LOGIN, NOINHERIT, no attribute beyond it, members of no role.
  FOREACH role_name IN ARRAY ARRAY[masked_role, unmask_role] LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = role_name) THEN
      EXECUTE format('CREATE ROLE %I', role_name);
    END IF;
    -- (Only a superuser may name SUPERUSER, REPLICATION or BYPASSRLS, even to deny them.)
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = role_name AND (rolsuper OR rolreplication OR rolbypassrls)) THEN
      RAISE EXCEPTION 'role % is a superuser or has REPLICATION or BYPASSRLS: drop it first', role_name;
    END IF;
    EXECUTE format('ALTER ROLE %I WITH LOGIN NOINHERIT NOCREATEDB NOCREATEROLE PASSWORD %L', role_name, passwords ->> role_name);
    FOR r IN SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
              WHERE u.rolname = role_name LOOP
      EXECUTE format('REVOKE %I FROM %I', r.rolname, role_name);
    END LOOP;
  END LOOP;
  EXECUTE format('ALTER ROLE %I SET search_path = %I, public', masked_role, mask_schema);

  -- 2. Start from no privilege on anything this account controls in this database.
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM %I, %I', current_database(), masked_role, unmask_role);
  FOR r IN SELECT n.nspname FROM pg_namespace n WHERE ${USER_SCHEMA} AND pg_has_role(n.nspowner, 'USAGE') LOOP
    EXECUTE format('REVOKE ALL ON SCHEMA %I FROM %I, %I', r.nspname, masked_role, unmask_role);
  END LOOP;
  FOR r IN SELECT c.oid::regclass AS rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${USER_SCHEMA} AND pg_has_role(c.relowner, 'USAGE') LOOP
    EXECUTE format('REVOKE ALL ON %s FROM %I, %I', r.rel, masked_role, unmask_role);
  END LOOP;

  -- 3. Masked relations (a bare rule table names it in every schema), with their inheritance
  -- family, and everything whose rows may come from them: views and materialized views whose
  -- dependency closure reaches one. The masked identity gets no privilege on any of these.
  SELECT coalesce(array_agg(c.oid), '{}') INTO masked_oids FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${USER_SCHEMA}
     AND EXISTS (SELECT FROM jsonb_to_recordset(rules) AS x("table" text) WHERE lower(x."table") IN (lower(c.relname), lower(n.nspname || '.' || c.relname)));
  WITH RECURSIVE down(oid) AS (
      SELECT unnest(masked_oids) UNION SELECT i.inhrelid FROM pg_inherits i JOIN down ON i.inhparent = down.oid),
    up(oid) AS (SELECT oid FROM down UNION SELECT i.inhparent FROM pg_inherits i JOIN up ON i.inhrelid = up.oid),
    deps(oid) AS (
      SELECT oid FROM up
      UNION SELECT rw.ev_class FROM pg_depend d JOIN pg_rewrite rw ON d.classid = 'pg_rewrite'::regclass AND rw.oid = d.objid
        JOIN deps ON d.refclassid = 'pg_class'::regclass AND d.refobjid = deps.oid WHERE rw.ev_class <> deps.oid)
  SELECT coalesce(array_agg(oid), '{}') INTO hidden FROM deps;

  -- 4. Grants: USAGE on the schemas, SELECT for unmask on every relation, for masked on the rest.
  FOR r IN SELECT n.nspname FROM pg_namespace n WHERE ${USER_SCHEMA} AND pg_has_role(n.nspowner, 'USAGE') LOOP
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I, %I', r.nspname, masked_role, unmask_role);
  END LOOP;
  FOR r IN SELECT c.oid, c.oid::regclass AS rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${USER_SCHEMA} AND pg_has_role(c.relowner, 'USAGE') LOOP
    EXECUTE format('GRANT SELECT ON %s TO %I', r.rel, unmask_role);
    IF NOT r.oid = ANY (hidden) THEN
      EXECUTE format('GRANT SELECT ON %s TO %I', r.rel, masked_role);
    END IF;
  END LOOP;

  -- 5. The masking schema, rebuilt: one view per masked relation, named as the relation (its
  -- schema prefixed when the name is taken), every masked column computed in SQL as text.
  IF EXISTS (SELECT FROM pg_namespace WHERE nspname = mask_schema) THEN
    IF NOT pg_has_role((SELECT nspowner FROM pg_namespace WHERE nspname = mask_schema), 'USAGE') THEN
      RAISE EXCEPTION 'schema % exists and belongs to another role', mask_schema;
    END IF;
    EXECUTE format('DROP SCHEMA %I CASCADE', mask_schema);
  END IF;
  EXECUTE format('CREATE SCHEMA %I', mask_schema);
  EXECUTE format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', mask_schema);
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', mask_schema, masked_role);
  FOR r IN SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.oid = ANY (masked_oids) ORDER BY n.nspname <> 'public', n.nspname, c.relname LOOP
    view_name := r.relname;
    IF EXISTS (SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = mask_schema AND c.relname = view_name) THEN
      view_name := r.nspname || '_' || r.relname;
    END IF;
    cols := NULL;
    FOR col IN SELECT a.attname, (SELECT y.algorithm FROM jsonb_to_recordset(rules) AS y("table" text, "column" text, algorithm text)
                                 WHERE lower(y."table") IN (lower(r.relname), lower(r.nspname || '.' || r.relname))
                                   AND lower(y."column") = lower(a.attname) LIMIT 1) AS algorithm
              FROM pg_attribute a WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum LOOP
      v := format('t.%I::text', col.attname);
      cols := concat_ws(', ', cols, CASE WHEN col.algorithm IS NULL THEN format('t.%I', col.attname)
        ELSE format('(%s)::text AS %I', ${maskExpression()}, col.attname) END);
    END LOOP;
    EXECUTE format('CREATE VIEW %I.%I AS SELECT %s FROM %s AS t', mask_schema, view_name, cols, r.oid::regclass);
    EXECUTE format('COMMENT ON VIEW %I.%I IS %L', mask_schema, view_name, 'jit-access masking view of ' || r.oid::regclass::text);
    EXECUTE format('GRANT SELECT ON %I.%I TO %I', mask_schema, view_name, masked_role);
  END LOOP;

  -- 6. What was provisioned, for runs to compare with.
  EXECUTE format('COMMENT ON SCHEMA %I IS %L', mask_schema, '${STATE_PREFIX} ${fp} ' || ${CATALOG_FINGERPRINT});
END`;
  const tag = '$jit_provision$';
  if (body.includes(tag)) throw new Error(`a masking rule contains ${tag}`);
  return `SELECT pg_advisory_xact_lock(hashtext('jit-access provision'));\nDO ${tag}${body}${tag};\n`;
}
