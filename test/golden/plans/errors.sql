-- Binding errors: names, functions, types.
CREATE TABLE t (id BIGINT, name STRING, amount DECIMAL(10, 2), ts TIMESTAMP(3), flag BOOLEAN)
  WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json');
CREATE TABLE out_t (a STRING) WITH ('connector' = 'kafka', 'topic' = 'o', 'format' = 'json');

-- case: unknown column with the columns in scope
INSERT INTO out_t SELECT nmae FROM t;

-- case: names are case-sensitive
INSERT INTO out_t SELECT NAME FROM t;

-- case: unknown table
INSERT INTO out_t SELECT name FROM users;

-- case: unknown function
INSERT INTO out_t SELECT UPPERCASE(name) FROM t;

-- case: wrong argument type
INSERT INTO out_t SELECT CONCAT(name, id) FROM t;

-- case: comparing incompatible types
INSERT INTO out_t SELECT name FROM t WHERE ts = 5;

-- case: WHERE must be boolean
INSERT INTO out_t SELECT name FROM t WHERE amount;

-- case: a cast Flink does not allow
INSERT INTO out_t SELECT CAST(CAST(id AS TIMESTAMP(3)) AS STRING) FROM t;

-- case: arithmetic on a string
INSERT INTO out_t SELECT CAST(name + 1 AS STRING) FROM t;

-- case: an unknown alias qualifier
INSERT INTO out_t SELECT x.name FROM t AS y;

-- case: invalid timestamp literal
INSERT INTO out_t SELECT name FROM t WHERE ts > TIMESTAMP '2025-13-01 00:00:00';

-- case: NOT on a number
INSERT INTO out_t SELECT name FROM t WHERE NOT amount;

-- case: CASE branches of incompatible types
INSERT INTO out_t SELECT CAST(CASE WHEN flag THEN ts ELSE amount END AS STRING) FROM t;
