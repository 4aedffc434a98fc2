// Reads the tables out of the server's rewrite of a statement (EXPLAIN's note 1003), where
// every table reference is `db`.`table` and every column reference `db`.`alias`.`column`.

const STRING = /'(?:[^'\\]|\\.|'')*'/g;
const NAME = '`((?:[^`]|``)*)`';
const REFERENCE = new RegExp(`${NAME}\\.${NAME}(\\.${NAME})?`, 'g');

const unquote = (name: string) => name.replace(/``/g, '`');

/** The tables a rewritten statement reads, with their database, each once. */
export function tablesOfRewrite(rewritten: string): { schema: string; table: string }[] {
  const out = new Map<string, { schema: string; table: string }>();
  for (const m of rewritten.replace(STRING, "''").matchAll(REFERENCE)) {
    if (m[3] !== undefined) continue;
    const schema = unquote(m[1]);
    const table = unquote(m[2]);
    out.set(`${schema}\0${table}`, { schema, table });
  }
  return [...out.values()];
}
