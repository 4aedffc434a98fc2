// The names an approval condition compares resource.table_name and resource.database_name
// with, so a rule naming a table or database that does not exist can be flagged when saved:
// such a rule silently never matches.

export type NamedAttribute = 'table_name' | 'database_name';

export interface NamedValue {
  attribute: NamedAttribute;
  name: string;
}

const STRING = String.raw`"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'`;
const ATTRIBUTE = String.raw`resource\.(table_name|database_name)`;
const COMPARED = new RegExp(String.raw`${ATTRIBUTE}\s*[!=]=\s*(?:${STRING})|(?:${STRING})\s*[!=]=\s*${ATTRIBUTE}`, 'g');
const LISTED = new RegExp(String.raw`${ATTRIBUTE}\s+in\s*\[([^\]]*)\]`, 'g');
const ONE_STRING = new RegExp(STRING, 'g');

const unescape = (text: string) => text.replace(/\\(.)/g, '$1');

/** The string literals a condition compares table_name or database_name with (==, != or in […]). */
export function namedValues(condition: string): NamedValue[] {
  const out: NamedValue[] = [];
  for (const m of condition.matchAll(COMPARED)) {
    const attribute = (m[1] ?? m[6]) as NamedAttribute;
    out.push({ attribute, name: unescape(m[2] ?? m[3] ?? m[4] ?? m[5]) });
  }
  for (const m of condition.matchAll(LISTED)) {
    for (const s of m[2].matchAll(ONE_STRING)) out.push({ attribute: m[1] as NamedAttribute, name: unescape(s[1] ?? s[2]) });
  }
  return out;
}
