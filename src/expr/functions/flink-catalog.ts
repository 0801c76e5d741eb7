/**
 * Every entry of Flink 1.18's "System (Built-in) Functions" page (its source is Flink's
 * docs/data/sql_functions.yml), with Flink's SQL syntax and one example call each. Table-API-only
 * entries are left out. Functions of later Flink versions that Rivulet also has are in
 * LATER_FUNCTIONS, outside the 1.18 count (ARRAY_APPEND and ARRAY_PREPEND arrived in 1.20,
 * FLINK-27891; the others are not in the release-1.18 page). Whether Rivulet supports an entry is not written here: scripts/functions-doc.ts
 * plans each example through the planner and docs/functions.md shows what it found.
 *
 * Examples read the table `t` of the generator (columns k, i, big, d, dbl, s, js, b, ts, ltz, dt, tm,
 * bin, arr, m, r; `ts` is its rowtime). A `query` example is a whole query over `t`.
 */

export type FunctionFamily =
  | 'comparison'
  | 'logical'
  | 'arithmetic'
  | 'string'
  | 'temporal'
  | 'conditional'
  | 'type conversion'
  | 'collection'
  | 'JSON'
  | 'value construction'
  | 'value access'
  | 'grouping'
  | 'hash'
  | 'catalog'
  | 'aggregate';

/** How an example is planned: a scalar in `SELECT <e> FROM t`, an aggregate in `SELECT k, <e> FROM t GROUP BY k`, or a whole query. */
export type ExampleShape = 'scalar' | 'aggregate' | 'query';

export interface CatalogEntry {
  readonly family: FunctionFamily;
  /** Flink's syntax text from the page; lines of a multi-form entry separated by '\n'. */
  readonly syntax: string;
  readonly shape: ExampleShape;
  readonly example: string;
  /** Why Flink's meaning cannot exist in this engine; shown when the example does not plan. */
  readonly notApplicable?: string;
}

type Row = readonly [syntax: string, example: string, notApplicable?: string];

function family(name: FunctionFamily, shape: ExampleShape, rows: readonly Row[]): CatalogEntry[] {
  return rows.map(([syntax, example, notApplicable]) => ({
    family: name,
    syntax,
    shape,
    example,
    ...(notApplicable ? { notApplicable } : {}),
  }));
}

const RANK_BATCH_ONLY =
  "Flink 1.18's streaming Top-N accepts only ROW_NUMBER; RANK and DENSE_RANK run in batch mode only, and a Rivulet pipeline is a streaming job";
const BATCH_ONLY =
  'Flink 1.18 runs it in batch mode only; a Rivulet pipeline is a streaming job, where Flink refuses it too';

export const FLINK_FUNCTIONS: readonly CatalogEntry[] = [
  ...family('comparison', 'scalar', [
    ['value1 = value2', 'i = 7'],
    ['value1 <> value2', 'i <> 7'],
    ['value1 > value2', 'i > 7'],
    ['value1 >= value2', 'i >= 7'],
    ['value1 < value2', 'i < 7'],
    ['value1 <= value2', 'i <= 7'],
    ['value IS NULL', 's IS NULL'],
    ['value IS NOT NULL', 's IS NOT NULL'],
    ['value1 IS DISTINCT FROM value2', 'i IS DISTINCT FROM 1'],
    ['value1 IS NOT DISTINCT FROM value2', 'i IS NOT DISTINCT FROM 1'],
    ['value1 BETWEEN [ ASYMMETRIC | SYMMETRIC ] value2 AND value3', 'i BETWEEN SYMMETRIC 15 AND 12'],
    ['value1 NOT BETWEEN [ ASYMMETRIC | SYMMETRIC ] value2 AND value3', 'i NOT BETWEEN 1 AND 10'],
    ['string1 LIKE string2 [ ESCAPE char ]', "s LIKE 'a%'"],
    ['string1 NOT LIKE string2 [ ESCAPE char ]', "s NOT LIKE 'a%'"],
    ['string1 SIMILAR TO string2 [ ESCAPE char ]', "s SIMILAR TO 'a(b|c)%'"],
    ['string1 NOT SIMILAR TO string2 [ ESCAPE char ]', "s NOT SIMILAR TO 'a(b|c)%'"],
    ['value1 IN (value2 [, value3]* )', 'i IN (1, 2, 3)'],
    ['value1 NOT IN (value2 [, value3]* )', 'i NOT IN (1, 2, 3)'],
  ]),
  ...family('comparison', 'query', [
    ['EXISTS (sub-query)', 'SELECT k FROM t WHERE EXISTS (SELECT 1 FROM t AS u WHERE u.i = t.i)'],
    ['value IN (sub-query)', 'SELECT k FROM t WHERE i IN (SELECT u.i FROM t AS u)'],
    ['value NOT IN (sub-query)', 'SELECT k FROM t WHERE i NOT IN (SELECT u.i FROM t AS u)'],
  ]),
  ...family('logical', 'scalar', [
    ['boolean1 OR boolean2', 'b OR i > 1'],
    ['boolean1 AND boolean2', 'b AND i > 1'],
    ['NOT boolean', 'NOT b'],
    ['boolean IS FALSE', 'b IS FALSE'],
    ['boolean IS NOT FALSE', 'b IS NOT FALSE'],
    ['boolean IS TRUE', 'b IS TRUE'],
    ['boolean IS NOT TRUE', 'b IS NOT TRUE'],
    ['boolean IS UNKNOWN', 'b IS UNKNOWN'],
    ['boolean IS NOT UNKNOWN', 'b IS NOT UNKNOWN'],
  ]),
  ...family('arithmetic', 'scalar', [
    ['+ numeric', '+i'],
    ['- numeric', '-i'],
    ['numeric1 + numeric2', 'i + 1'],
    ['numeric1 - numeric2', 'i - 1'],
    ['numeric1 * numberic2', 'i * 2'],
    ['numeric1 / numeric2', 'i / 2'],
    ['numeric1 % numeric2', 'i % 3'],
    ['POWER(numeric1, numeric2)', 'POWER(dbl, 2)'],
    ['ABS(numeric)', 'ABS(i)'],
    ['SQRT(numeric)', 'SQRT(dbl)'],
    ['LN(numeric)', 'LN(dbl)'],
    ['LOG10(numeric)', 'LOG10(dbl)'],
    ['LOG2(numeric)', 'LOG2(dbl)'],
    ['LOG(numeric2)\nLOG(numeric1, numeric2)', 'LOG(2, dbl)'],
    ['EXP(numeric)', 'EXP(dbl)'],
    ['CEIL(numeric)\nCEILING(numeric)', 'CEILING(d)'],
    ['FLOOR(numeric)', 'FLOOR(d)'],
    ['SIN(numeric)', 'SIN(dbl)'],
    ['SINH(numeric)', 'SINH(dbl)'],
    ['COS(numeric)', 'COS(dbl)'],
    ['TAN(numeric)', 'TAN(dbl)'],
    ['TANH(numeric)', 'TANH(dbl)'],
    ['COT(numeric)', 'COT(dbl)'],
    ['ASIN(numeric)', 'ASIN(dbl)'],
    ['ACOS(numeric)', 'ACOS(dbl)'],
    ['ATAN(numeric)', 'ATAN(dbl)'],
    ['ATAN2(numeric1, numeric2)', 'ATAN2(dbl, 1)'],
    ['COSH(numeric)', 'COSH(dbl)'],
    ['DEGREES(numeric)', 'DEGREES(dbl)'],
    ['RADIANS(numeric)', 'RADIANS(dbl)'],
    ['SIGN(numeric)', 'SIGN(d)'],
    ['ROUND(NUMERIC, INT)', 'ROUND(d, 1)'],
    ['PI()', 'PI()'],
    ['E()', 'E()'],
    ['RAND()', 'RAND()'],
    ['RAND(INT)', 'RAND(42)'],
    ['RAND_INTEGER(INT)', 'RAND_INTEGER(10)'],
    ['RAND_INTEGER(INT1, INT2)', 'RAND_INTEGER(42, 10)'],
    ['UUID()', 'UUID()'],
    ['BIN(INT)', 'BIN(i)'],
    ['HEX(numeric)\nHEX(string)', 'HEX(s)'],
    ['TRUNCATE(numeric1, integer2)', 'TRUNCATE(d, 1)'],
  ]),
  ...family('string', 'scalar', [
    ['string1 || string2', "s || '!'"],
    ['CHAR_LENGTH(string)\nCHARACTER_LENGTH(string)', 'CHAR_LENGTH(s)'],
    ['UPPER(string)', 'UPPER(s)'],
    ['LOWER(string)', 'LOWER(s)'],
    ['POSITION(string1 IN string2)', "POSITION('o' IN s)"],
    ['TRIM([ BOTH | LEADING | TRAILING ] string1 FROM string2)', "TRIM(BOTH 'x' FROM s)"],
    ['LTRIM(string)', 'LTRIM(s)'],
    ['RTRIM(string)', 'RTRIM(s)'],
    ['REPEAT(string, int)', 'REPEAT(s, 2)'],
    ['REGEXP_REPLACE(string1, string2, string3)', "REGEXP_REPLACE(s, 'o+', '0')"],
    ['OVERLAY(string1 PLACING string2 FROM integer1 [ FOR integer2 ])', "OVERLAY(s PLACING 'xx' FROM 2 FOR 3)"],
    ['SUBSTRING(string FROM integer1 [ FOR integer2 ])', 'SUBSTRING(s FROM 2 FOR 3)'],
    ['REPLACE(string1, string2, string3)', "REPLACE(s, 'o', '0')"],
    ['REGEXP_EXTRACT(string1, string2[, integer])', "REGEXP_EXTRACT(s, 'H(.)l', 1)"],
    ['INITCAP(string)', 'INITCAP(s)'],
    ['CONCAT(string1, string2,...)', "CONCAT(s, '-', k)"],
    ['CONCAT_WS(string1, string2, string3,...)', "CONCAT_WS('~', s, k)"],
    ['LPAD(string1, integer, string2)', "LPAD(s, 20, '*')"],
    ['RPAD(string1, integer, string2)', "RPAD(s, 20, '*')"],
    ['FROM_BASE64(string)', "FROM_BASE64('aGVsbG8gd29ybGQ=')"],
    ['TO_BASE64(string)', 'TO_BASE64(s)'],
    ['ASCII(string)', 'ASCII(s)'],
    ['CHR(integer)', 'CHR(97)'],
    ['DECODE(binary, string)', "DECODE(bin, 'UTF-8')"],
    ['ENCODE(string1, string2)', "ENCODE(s, 'UTF-8')"],
    ['INSTR(string1, string2)', "INSTR(s, 'o')"],
    ['LEFT(string, integer)', 'LEFT(s, 3)'],
    ['RIGHT(string, integer)', 'RIGHT(s, 3)'],
    ['LOCATE(string1, string2[, integer])', "LOCATE('o', s, 2)"],
    [
      'PARSE_URL(string1, string2[, string3])',
      "PARSE_URL('http://facebook.com/path1/p.php?k1=v1&k2=v2#Ref1', 'QUERY', 'k1')",
    ],
    ['REGEXP(string1, string2)', "REGEXP(s, 'W.r')"],
    ['REVERSE(string)', 'REVERSE(s)'],
    ['SPLIT_INDEX(string1, string2, integer1)', "SPLIT_INDEX(s, ' ', 1)"],
    ['STR_TO_MAP(string1[, string2, string3])', "STR_TO_MAP('a=1,b=2')"],
    ['SUBSTR(string, integer1[, integer2])', 'SUBSTR(s, 2, 3)'],
  ]),
  ...family('temporal', 'scalar', [
    ['DATE string', "DATE '2025-07-11'"],
    ['TIME string', "TIME '17:25:55'"],
    ['TIMESTAMP string', "TIMESTAMP '2025-07-11 17:25:55'"],
    ['INTERVAL string range', "INTERVAL '10 00:00:00.004' DAY TO SECOND"],
    ['LOCALTIME', 'LOCALTIME'],
    ['LOCALTIMESTAMP', 'LOCALTIMESTAMP'],
    ['CURRENT_TIME', 'CURRENT_TIME'],
    ['CURRENT_DATE', 'CURRENT_DATE'],
    ['CURRENT_TIMESTAMP', 'CURRENT_TIMESTAMP'],
    ['NOW()', 'NOW()'],
    ['CURRENT_ROW_TIMESTAMP()', 'CURRENT_ROW_TIMESTAMP()'],
    ['EXTRACT(timeinteravlunit FROM temporal)', 'EXTRACT(DAY FROM dt)'],
    ['YEAR(date)', 'YEAR(dt)'],
    ['QUARTER(date)', 'QUARTER(dt)'],
    ['MONTH(date)', 'MONTH(dt)'],
    ['WEEK(date)', 'WEEK(dt)'],
    ['DAYOFYEAR(date)', 'DAYOFYEAR(dt)'],
    ['DAYOFMONTH(date)', 'DAYOFMONTH(dt)'],
    ['DAYOFWEEK(date)', 'DAYOFWEEK(dt)'],
    ['HOUR(timestamp)', 'HOUR(ts)'],
    ['MINUTE(timestamp)', 'MINUTE(ts)'],
    ['SECOND(timestamp)', 'SECOND(ts)'],
    ['FLOOR(timepoint TO timeintervalunit)', 'FLOOR(ts TO HOUR)'],
    ['CEIL(timepoint TO timeintervaluntit)', 'CEIL(ts TO HOUR)'],
    [
      '(timepoint1, temporal1) OVERLAPS (timepoint2, temporal2)',
      "(TIME '2:55:00', INTERVAL '1' HOUR) OVERLAPS (TIME '3:30:00', INTERVAL '2' HOUR)",
    ],
    ['DATE_FORMAT(date_expr, string)', "DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm')"],
    ['TIMESTAMPADD(timeintervalunit, interval, timepoint)', 'TIMESTAMPADD(HOUR, 2, ts)'],
    ['TIMESTAMPDIFF(timepointunit, timepoint1, timepoint2)', "TIMESTAMPDIFF(DAY, ts, TIMESTAMP '2025-08-01 00:00:00')"],
    ['CONVERT_TZ(string1, string2, string3)', "CONVERT_TZ('1970-01-01 00:00:00', 'UTC', 'America/Los_Angeles')"],
    ['FROM_UNIXTIME(numeric[, string])', "FROM_UNIXTIME(44, 'yyyy-MM-dd HH:mm:ss')"],
    ['UNIX_TIMESTAMP()', 'UNIX_TIMESTAMP()'],
    ['UNIX_TIMESTAMP(string1[, string2])', "UNIX_TIMESTAMP('1970-01-01 08:00:01.001', 'yyyy-MM-dd HH:mm:ss.SSS')"],
    ['TO_DATE(string1[, string2])', "TO_DATE('20250711', 'yyyyMMdd')"],
    ['TO_TIMESTAMP_LTZ(numeric, precision)', 'TO_TIMESTAMP_LTZ(big, 3)'],
    ['TO_TIMESTAMP(string1[, string2])', "TO_TIMESTAMP('11/07/2025 17:25', 'dd/MM/yyyy HH:mm')"],
    ['CURRENT_WATERMARK(rowtime)', 'CURRENT_WATERMARK(ts)'],
  ]),
  ...family('conditional', 'scalar', [
    [
      'CASE value\n  WHEN value1_1 [, value1_2]* THEN RESULT1\n  (WHEN value2_1 [, value2_2 ]* THEN result_2)*\n  (ELSE result_z)\nEND',
      "CASE i WHEN 1, 2 THEN 'low' WHEN 7 THEN 'seven' ELSE 'other' END",
    ],
    [
      'CASE\n  WHEN condition1 THEN result1\n  (WHEN condition2 THEN result2)*\n  (ELSE result_z)\nEND',
      "CASE WHEN i > 5 THEN 'big' ELSE 'small' END",
    ],
    ['NULLIF(value1, value2)', 'NULLIF(i, 7)'],
    ['COALESCE(value1 [, value2]*)', "COALESCE(s, k, 'default')"],
    ['IF(condition, true_value, false_value)', 'IF(i > 3, i, 3)'],
    ['IFNULL(input, null_replacement)', 'IFNULL(i, 5)'],
    ['IS_ALPHA(string)', 'IS_ALPHA(s)'],
    ['IS_DECIMAL(string)', 'IS_DECIMAL(s)'],
    ['IS_DIGIT(string)', 'IS_DIGIT(s)'],
    ['GREATEST(value1[, value2]*)', 'GREATEST(i, 3, 5)'],
    ['LEAST(value1[, value2]*)', 'LEAST(i, 3, 5)'],
  ]),
  ...family('type conversion', 'scalar', [
    ['CAST(value AS type)', "CAST('42' AS INT)"],
    ['TRY_CAST(value AS type)', "TRY_CAST('non-number' AS INT)"],
    ['TYPEOF(input)\nTYPEOF(input, force_serializable)', 'TYPEOF(d)'],
  ]),
  ...family('collection', 'scalar', [
    ['CARDINALITY(array)', 'CARDINALITY(arr)'],
    ["array '[' INT ']'", 'arr[1]'],
    ['ELEMENT(array)', 'ELEMENT(arr)'],
    ['CARDINALITY(map)', 'CARDINALITY(m)'],
    ["map '[' value ']'", "m['a']"],
    ['ARRAY_CONTAINS(haystack, needle)', 'ARRAY_CONTAINS(arr, 2)'],
    ['ARRAY_DISTINCT(haystack)', 'ARRAY_DISTINCT(arr)'],
    ['ARRAY_POSITION(haystack, needle)', 'ARRAY_POSITION(arr, 2)'],
    ['ARRAY_REMOVE(haystack, needle)', 'ARRAY_REMOVE(arr, 2)'],
    ['ARRAY_REVERSE(haystack)', 'ARRAY_REVERSE(arr)'],
    ['ARRAY_SLICE(array, start_offset[, end_offset])', 'ARRAY_SLICE(arr, 1, 2)'],
    ['ARRAY_UNION(array1, array2)', 'ARRAY_UNION(arr, ARRAY[4, 5])'],
    ['ARRAY_CONCAT(array1, ...)', 'ARRAY_CONCAT(arr, ARRAY[4])'],
    ['ARRAY_MAX(array)', 'ARRAY_MAX(arr)'],
    ['MAP_KEYS(map)', 'MAP_KEYS(m)'],
    ['MAP_VALUES(map)', 'MAP_VALUES(m)'],
    ['MAP_ENTRIES(map)', 'MAP_ENTRIES(m)'],
    ['MAP_FROM_ARRAYS(array_of_keys, array_of_values)', "MAP_FROM_ARRAYS(ARRAY['a', 'b'], ARRAY[1, 2])"],
  ]),
  ...family('JSON', 'scalar', [
    ['IS JSON [ { VALUE | SCALAR | ARRAY | OBJECT } ]', 'js IS JSON OBJECT'],
    ['JSON_EXISTS(jsonValue, path [ { TRUE | FALSE | UNKNOWN | ERROR } ON ERROR ])', "JSON_EXISTS(js, '$.a')"],
    ['JSON_STRING(value)', 'JSON_STRING(i)'],
    [
      'JSON_VALUE(jsonValue, path [RETURNING <dataType>] [ { NULL | ERROR | DEFAULT <defaultExpr> } ON EMPTY ] [ { NULL | ERROR | DEFAULT <defaultExpr> } ON ERROR ])',
      "JSON_VALUE(js, '$.a' RETURNING INT DEFAULT 0 ON EMPTY)",
    ],
    [
      'JSON_QUERY(jsonValue, path [ { WITHOUT | WITH CONDITIONAL | WITH UNCONDITIONAL } [ ARRAY ] WRAPPER ] [ { NULL | EMPTY ARRAY | EMPTY OBJECT | ERROR } ON EMPTY ] [ { NULL | EMPTY ARRAY | EMPTY OBJECT | ERROR } ON ERROR ])',
      "JSON_QUERY(js, '$.a' WITH CONDITIONAL ARRAY WRAPPER)",
    ],
    [
      'JSON_OBJECT([[KEY] key VALUE value]* [ { NULL | ABSENT } ON NULL ])',
      "JSON_OBJECT(KEY 'K1' VALUE s ABSENT ON NULL)",
    ],
    ['JSON_ARRAY([value]* [ { NULL | ABSENT } ON NULL ])', "JSON_ARRAY(i, '2' NULL ON NULL)"],
  ]),
  ...family('JSON', 'query', [
    // Flink's example; the key must be STRING NOT NULL, as `product` is in its `orders`.
    [
      'JSON_OBJECTAGG([KEY] key VALUE value [ { NULL | ABSENT } ON NULL ])',
      "SELECT JSON_OBJECTAGG(KEY product VALUE cnt) FROM (SELECT COALESCE(s, 'none') AS product, i AS cnt FROM t)",
    ],
  ]),
  ...family('JSON', 'aggregate', [['JSON_ARRAYAGG(items [ { NULL | ABSENT } ON NULL ])', 'JSON_ARRAYAGG(s)']]),
  ...family('value construction', 'scalar', [
    ['(value1 [, value2]*)', '(i, s)'],
    ["ARRAY '[' value1 [, value2 ]* ']'", 'ARRAY[i, 2, 3]'],
    ["MAP '[' value1, value2 [, value3, value4 ]* ']'", "MAP['a', i, 'b', 2]"],
  ]),
  ...family('value access', 'scalar', [['tableName.compositeType.field', 't.r.a']]),
  ...family('value access', 'query', [['tableName.compositeType.*', 'SELECT t.r.* FROM t']]),
  ...family('grouping', 'query', [
    ['GROUP_ID()', 'SELECT k, GROUP_ID() FROM t GROUP BY ROLLUP (k)'],
    [
      'GROUPING(expression1 [, expression2]* )\nGROUPING_ID(expression1 [, expression2]* )',
      'SELECT k, s, GROUPING(k, s), GROUPING_ID(k, s) FROM t GROUP BY CUBE (k, s)',
    ],
  ]),
  ...family('hash', 'scalar', [
    ['MD5(string)', 'MD5(s)'],
    ['SHA1(string)', 'SHA1(s)'],
    ['SHA224(string)', 'SHA224(s)'],
    ['SHA256(string)', 'SHA256(s)'],
    ['SHA384(string)', 'SHA384(s)'],
    ['SHA512(string)', 'SHA512(s)'],
    ['SHA2(string, hashLength)', 'SHA2(s, 256)'],
  ]),
  ...family('catalog', 'scalar', [['CURRENT_DATABASE()', 'CURRENT_DATABASE()']]),
  ...family('aggregate', 'aggregate', [
    [
      'COUNT([ ALL ] expression | DISTINCT expression1 [, expression2]*)',
      'COUNT(DISTINCT s, i)',
      'Flink 1.18\'s streaming planner cannot plan COUNT(DISTINCT) of several arguments (Flink 1.18.1: "Cannot generate a valid execution plan"), and a Rivulet pipeline is a streaming job; COUNT(x) and COUNT(DISTINCT x) are supported',
    ],
    ['COUNT(*)\nCOUNT(1)', 'COUNT(*)'],
    ['AVG([ ALL | DISTINCT ] expression)', 'AVG(d)'],
    ['SUM([ ALL | DISTINCT ] expression)', 'SUM(DISTINCT i)'],
    ['MAX([ ALL | DISTINCT ] expression)', 'MAX(ts)'],
    ['MIN([ ALL | DISTINCT ] expression )', 'MIN(ts)'],
    ['STDDEV_POP([ ALL | DISTINCT ] expression)', 'STDDEV_POP(dbl)'],
    ['STDDEV_SAMP([ ALL | DISTINCT ] expression)', 'STDDEV_SAMP(dbl)'],
    ['VAR_POP([ ALL | DISTINCT ] expression)', 'VAR_POP(dbl)'],
    ['VAR_SAMP([ ALL | DISTINCT ] expression)', 'VAR_SAMP(dbl)'],
    ['COLLECT([ ALL | DISTINCT ] expression)', 'COLLECT(s)'],
    ['VARIANCE([ ALL | DISTINCT ] expression)', 'VARIANCE(dbl)'],
    ['FIRST_VALUE(expression)', 'FIRST_VALUE(s)'],
    ['LAST_VALUE(expression)', 'LAST_VALUE(s)'],
    ['LISTAGG(expression [, separator])', "LISTAGG(s, ';')"],
  ]),
  ...family('aggregate', 'query', [
    [
      'RANK()',
      'SELECT * FROM (SELECT k, i, RANK() OVER (PARTITION BY k ORDER BY i DESC) AS r FROM t) WHERE r <= 3',
      RANK_BATCH_ONLY,
    ],
    [
      'DENSE_RANK()',
      'SELECT * FROM (SELECT k, i, DENSE_RANK() OVER (PARTITION BY k ORDER BY i DESC) AS r FROM t) WHERE r <= 3',
      RANK_BATCH_ONLY,
    ],
    [
      'ROW_NUMBER()',
      'SELECT * FROM (SELECT k, i, ROW_NUMBER() OVER (PARTITION BY k ORDER BY i DESC) AS r FROM t) WHERE r <= 3',
    ],
    [
      'LEAD(expression [, offset] [, default])',
      'SELECT k, LEAD(i, 1) OVER (PARTITION BY k ORDER BY ts) FROM t',
      BATCH_ONLY,
    ],
    ['LAG(expression [, offset] [, default])', 'SELECT k, LAG(i, 1) OVER (PARTITION BY k ORDER BY ts) FROM t'],
    ['CUME_DIST()', 'SELECT k, CUME_DIST() OVER (PARTITION BY k ORDER BY ts) FROM t', BATCH_ONLY],
    ['PERCENT_RANK()', 'SELECT k, PERCENT_RANK() OVER (PARTITION BY k ORDER BY ts) FROM t', BATCH_ONLY],
    ['NTILE(n)', 'SELECT k, NTILE(4) OVER (PARTITION BY k ORDER BY ts) FROM t', BATCH_ONLY],
  ]),
];

/** A function of a Flink version after 1.18 that Rivulet has too: shown apart, not counted. */
export interface LaterEntry {
  readonly since: string;
  readonly syntax: string;
  readonly example: string;
}

export const LATER_FUNCTIONS: readonly LaterEntry[] = [
  {
    since: '1.19',
    syntax: 'ARRAY_JOIN(array, delimiter[, nullReplacement])',
    example: "ARRAY_JOIN(ARRAY['a', 'b'], ',')",
  },
  { since: '1.19', syntax: 'ARRAY_MIN(array)', example: 'ARRAY_MIN(arr)' },
  { since: '1.19', syntax: 'MAP_UNION(map1, ...)', example: "MAP_UNION(m, MAP['z', 26])" },
  { since: '1.20', syntax: 'ARRAY_APPEND(array, element)', example: 'ARRAY_APPEND(arr, 4)' },
  { since: '1.20', syntax: 'ARRAY_PREPEND(array, element)', example: 'ARRAY_PREPEND(arr, 0)' },
  { since: '1.20', syntax: 'ARRAY_EXCEPT(array1, array2)', example: 'ARRAY_EXCEPT(arr, ARRAY[2])' },
  { since: '1.20', syntax: 'ARRAY_INTERSECT(array1, array2)', example: 'ARRAY_INTERSECT(arr, ARRAY[2])' },
];
