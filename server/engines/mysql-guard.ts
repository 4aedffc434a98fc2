// The functions a MySQL/MariaDB statement may call: an allowlist, not a denylist. A statement
// calling anything else — a user-level lock, SLEEP/BENCHMARK, LOAD_FILE, a sequence, a
// user-defined or stored function, a function this list does not know yet — is refused with the
// function's name. The statement is read as the server reads it in the session the engine sets
// up (fixed sql_mode: backslash escapes on, "…" a string): `--` is a comment only when
// whitespace follows, `#` is a comment, and executable comments are refused outright.
// The engine's access control is the boundary for what is read; this keeps a read-only run from
// acting on the server (locks, waits, files) however the SQL is written.
import { EngineError } from './engine.js';
import { LEX_MODES, lex, LexError, type Token } from '../../lang/sql/lexer.js';

/** The sql_mode every run's session is set to: the lexing above depends on it. */
export const RUN_SQL_MODE = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';

const FUNCTIONS = `
  abs acos asin atan atan2 ceil ceiling conv cos cot crc32 crc32c degrees div exp floor ln log log10 log2 mod
  oct pi pow power radians rand round sign sin sqrt tan truncate greatest least
  ascii bin bit_length char char_length character_length chr concat concat_ws elt export_set field find_in_set
  format from_base64 hex insert instr lcase left length length_b locate lower lpad ltrim make_set mid natural_sort_key
  octet_length ord position quote repeat replace reverse right rpad rtrim soundex space strcmp substr substring
  substring_index to_base64 to_char trim ucase unhex upper weight_string regexp_instr regexp_replace regexp_substr
  sformat
  adddate addtime convert_tz curdate current_date current_time current_timestamp curtime date date_add date_format
  date_sub datediff day dayname dayofmonth dayofweek dayofyear extract from_days from_unixtime get_format hour
  last_day localtime localtimestamp makedate maketime microsecond minute month monthname now period_add period_diff
  quarter sec_to_time second str_to_date subdate subtime sysdate time time_format time_to_sec timediff timestamp
  timestampadd timestampdiff to_days to_seconds unix_timestamp utc_date utc_time utc_timestamp week weekday
  weekofyear year yearweek
  avg bit_and bit_or bit_xor count group_concat json_arrayagg json_objectagg max min std stddev stddev_pop
  stddev_samp sum var_pop var_samp variance median percentile_cont percentile_disc
  cume_dist dense_rank first_value lag last_value lead nth_value ntile percent_rank rank row_number
  cast convert coalesce if ifnull isnull nullif nvl nvl2 decode_oracle interval
  json_array json_array_append json_array_insert json_array_intersect json_compact json_contains json_contains_path
  json_depth json_detailed json_equals json_exists json_extract json_insert json_keys json_length json_loose
  json_merge json_merge_patch json_merge_preserve json_normalize json_object json_object_filter_keys
  json_object_to_array json_overlaps json_pretty json_query json_quote json_remove json_replace json_schema_valid
  json_search json_set json_table json_type json_unquote json_valid json_value
  md5 sha sha1 sha2 aes_encrypt aes_decrypt compress uncompress uncompressed_length random_bytes
  uuid uuid_short sys_guid inet_aton inet_ntoa inet6_aton inet6_ntoa is_ipv4 is_ipv6 is_ipv4_compat is_ipv4_mapped
  charset coercibility collation connection_id current_role current_user database schema found_rows row_count
  session_user system_user user version
  column_check column_exists column_get column_json column_list
  bit_count default values value
  st_astext st_aswkt st_asbinary st_aswkb st_geomfromtext st_geometryfromtext st_x st_y st_distance point
`;

// Words the grammar follows with "(" that are not calls: clauses, operators, type names.
const KEYWORDS = `
  select from where and or not xor in exists any all some as on using over partition by window join inner
  left right cross natural straight_join union except intersect values row table with recursive lateral
  case when then else end is between like rlike regexp sounds distinct distinctrow binary escape
  having group order limit offset into key index force ignore use for of div mod interval
  char nchar varchar decimal dec numeric double float real signed unsigned integer int date datetime time
  timestamp year json character set collate array columns path nested match against mode
`;

const words = (text: string) => new Set(text.split(/\s+/).filter(Boolean));
const ALLOWED = words(FUNCTIONS);
const NOT_CALLS = words(KEYWORDS);

/** Index of the ")" that closes the "(" at `open`, or -1. */
function closing(code: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    const t = code[i];
    if (t.kind !== 'punct') continue;
    if (t.text === '(') depth++;
    else if (t.text === ')' && --depth === 0) return i;
  }
  return -1;
}

const isWord = (t: Token | undefined, word: string) => t?.kind === 'word' && t.text.toLowerCase() === word;

/** Refuses executable comments and any call of a function not on the allowlist. */
export function checkMysqlFunctions(sql: string): void {
  let tokens: Token[];
  try {
    tokens = lex(sql, LEX_MODES.mysql[0]);
  } catch (err) {
    if (err instanceof LexError) throw new EngineError('invalid', `the statement has an ${err.message}`);
    throw err;
  }
  if (tokens.some((t) => t.kind === 'executable-comment')) {
    throw new EngineError('read_only', 'executable comments (/*! … */) are not allowed');
  }
  const code = tokens.filter((t) => t.kind !== 'comment');
  code.forEach((t, i) => {
    const next = code[i + 1];
    if (next?.kind !== 'punct' || next.text !== '(') return;
    if (t.kind !== 'word' && t.kind !== 'quoted') return;
    const name = t.text.toLowerCase();
    // A qualified name (db.f, `db`.`f`) is a stored or user-defined function, never a built-in.
    const qualified = code[i - 1]?.kind === 'punct' && code[i - 1].text === '.';
    if (t.kind === 'word' && !qualified) {
      if (ALLOWED.has(name)) return;
      if (NOT_CALLS.has(name)) return;
      // A CTE's column list: `name (a, b) AS (…)`.
      const end = closing(code, i + 1);
      const afterWithOrComma = isWord(code[i - 1], 'with') || isWord(code[i - 1], 'recursive') || (code[i - 1]?.kind === 'punct' && code[i - 1].text === ',');
      if (afterWithOrComma && end !== -1 && isWord(code[end + 1], 'as') && code[end + 2]?.text === '(') return;
    }
    throw new EngineError('read_only', `the function ${t.text}() is not allowed in a read-only query`);
  });
}
