// The functions a statement may call on PostgreSQL: an allowlist, not a denylist. A name the
// statement calls that is not here and that names a function in pg_proc is refused before the
// statement runs. Masking does not depend on this list (the engine masks through its own
// access control); it keeps out what a read-only transaction still permits: signalling other
// sessions of the same role, session-level advisory locks, settings (set_config), SQL text run
// by a function (query_to_xml, table_to_xml, ts_stat, …), files, other servers, notifications.

const NAMES = `
count sum avg min max array_agg string_agg bool_and bool_or every bit_and bit_or bit_xor
json_agg jsonb_agg json_object_agg jsonb_object_agg stddev stddev_pop stddev_samp variance
var_pop var_samp corr covar_pop covar_samp regr_avgx regr_avgy regr_count regr_intercept regr_r2
regr_slope regr_sxx regr_sxy regr_syy percentile_cont percentile_disc mode any_value
row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value
range_agg range_intersect_agg xmlagg
length char_length character_length octet_length bit_length lower upper initcap btrim ltrim
rtrim lpad rpad left right substr substring position strpos replace translate repeat reverse
split_part concat concat_ws format quote_ident quote_literal quote_nullable regexp_match
regexp_matches regexp_replace regexp_split_to_array regexp_split_to_table regexp_count
regexp_instr regexp_like regexp_substr starts_with ascii chr md5 sha224 sha256 sha384 sha512
encode decode to_hex overlay normalize unistr string_to_array string_to_table array_to_string
to_char to_number to_date to_timestamp convert_from convert_to get_byte get_bit bit_count
abs ceil ceiling floor round trunc sign sqrt cbrt exp ln log log10 power pow mod div gcd lcm pi
degrees radians sin cos tan cot asin acos atan atan2 sinh cosh tanh asinh acosh atanh sind cosd
tand asind acosd atand atan2d width_bucket scale min_scale trim_scale factorial random
now clock_timestamp statement_timestamp transaction_timestamp timeofday age date_part date_trunc
date_bin extract make_date make_time make_timestamp make_timestamptz make_interval justify_days
justify_hours justify_interval isfinite
generate_series generate_subscripts unnest array_length array_lower array_upper array_dims
array_ndims array_position array_positions array_append array_prepend array_cat array_remove
array_replace array_fill cardinality trim_array
json_build_object json_build_array jsonb_build_object jsonb_build_array to_json to_jsonb
row_to_json array_to_json json_array_elements json_array_elements_text jsonb_array_elements
jsonb_array_elements_text json_each json_each_text jsonb_each jsonb_each_text json_object_keys
jsonb_object_keys json_extract_path json_extract_path_text jsonb_extract_path
jsonb_extract_path_text json_typeof jsonb_typeof jsonb_pretty jsonb_set jsonb_set_lax
jsonb_insert jsonb_strip_nulls json_strip_nulls jsonb_path_query jsonb_path_query_array
jsonb_path_query_first jsonb_path_exists jsonb_path_match json_array_length jsonb_array_length
json_object jsonb_object json_to_record jsonb_to_record json_to_recordset jsonb_to_recordset
json_populate_record jsonb_populate_record json_populate_recordset jsonb_populate_recordset
xmlelement xmlforest xmlconcat xmlcomment xmlparse xmlserialize xpath xpath_exists
xml_is_well_formed xml_is_well_formed_document xml_is_well_formed_content xmltext
to_tsvector to_tsquery plainto_tsquery phraseto_tsquery websearch_to_tsquery ts_rank ts_rank_cd
ts_headline setweight strip numnode querytree tsvector_to_array array_to_tsvector
host hostmask masklen family netmask broadcast network abbrev set_masklen inet_same_family
isempty lower_inc upper_inc lower_inf upper_inf range_merge int4range int8range numrange tsrange
tstzrange daterange
num_nonnulls num_nulls pg_typeof format_type current_database current_schema current_schemas
version gen_random_uuid hashtext
int int2 int4 int8 integer smallint bigint numeric decimal real float float4 float8 text varchar
char character bpchar bool boolean date time timetz timestamp timestamptz interval json jsonb
uuid bytea inet cidr macaddr money bit varbit oid name xml tsvector tsquery
system bernoulli pg_sleep
`;

// Keywords a "(" often follows that PostgreSQL never reads as a function name (reserved, or
// "cannot be function or type"): no catalog lookup is needed to let them through.
const NEVER_FUNCTIONS = `
in exists any all some as on and or not from select where case when then else between distinct
union except intersect array cast row coalesce nullif greatest least grouping lateral with
`;

export const POSTGRES_FUNCTIONS: ReadonlySet<string> = new Set(`${NAMES} ${NEVER_FUNCTIONS}`.split(/\s+/).filter(Boolean));
