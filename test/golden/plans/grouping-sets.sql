-- GROUPING SETS, ROLLUP, CUBE and GROUPING()/GROUPING_ID(): an Expand of each row per grouping set,
-- feeding a GroupAggregate keyed by the group keys and $e (Flink's DecomposeGroupingSetsRule), and
-- the grouping functions computed from $e in the Calc above (compare Flink's GroupingSetsTest.xml).
CREATE TABLE orders (order_id BIGINT, city STRING, category STRING, amount DECIMAL(10, 2), order_time TIMESTAMP(3),
  PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'orders', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE clicks (city STRING, category STRING, url STRING) WITH ('connector' = 'kafka', 'topic' = 'clicks', 'format' = 'json');

-- case: GROUPING SETS with the empty set, on an updating input
EXPLAIN SELECT city, category, COUNT(*) AS n, SUM(amount) AS gmv
FROM orders GROUP BY GROUPING SETS ((city, category), (city), ());

-- case: ROLLUP with GROUPING() and GROUPING_ID() in SELECT and HAVING
EXPLAIN SELECT city, category, COUNT(*) AS n, GROUPING(city) AS gc, GROUPING(category) AS gk,
  GROUPING_ID(city, category) AS gid, GROUP_ID() AS g
FROM orders GROUP BY ROLLUP (city, category) HAVING GROUPING_ID(city, category) < 3 OR COUNT(*) > 10;

-- case: CUBE on an append-only input stays an aggregate with updates
EXPLAIN CHANGELOG_MODE SELECT city, category, COUNT(*) AS n FROM clicks GROUP BY CUBE (city, category);

-- case: a plain group key mixed with ROLLUP: the cross product (city, category, url), (city, category), (city)
EXPLAIN SELECT city, category, url, COUNT(*) AS n, GROUPING_ID(category, url) AS gid
FROM clicks GROUP BY city, ROLLUP (category, url);

-- case: an aggregate of a group key some set leaves out reads its copy (category_0)
EXPLAIN SELECT city, COUNT(DISTINCT category) AS kinds, MAX(category) AS last_kind
FROM clicks GROUP BY GROUPING SETS ((city, category), (city));

-- case: expressions as group keys, and ROLLUP of a composite item
EXPLAIN SELECT UPPER(city) AS c, category, url, COUNT(*) AS n
FROM clicks GROUP BY ROLLUP (UPPER(city), (category, url));

-- case: one grouping set is a plain GROUP BY; GROUPING() is 0
EXPLAIN SELECT city, COUNT(*) AS n, GROUPING(city) AS g FROM clicks GROUP BY GROUPING SETS ((city));

-- case: GROUP BY () is a global aggregate
EXPLAIN SELECT COUNT(*) AS n FROM clicks GROUP BY ();

-- case: a grouping set given twice: one aggregate per GROUP_ID() value, unioned (Calcite)
EXPLAIN SELECT city, COUNT(*) AS n FROM clicks GROUP BY city, ROLLUP (city);

-- case: a repeated set of fewer keys than the GROUP BY: its branch expands to the one set
EXPLAIN SELECT city, category, COUNT(*) AS n, GROUP_ID() AS gid, GROUPING(category) AS g
FROM clicks GROUP BY GROUPING SETS ((city), (category), (city));

-- case: GROUPING of an expression that is not grouped
EXPLAIN SELECT city, GROUPING(url) AS g FROM clicks GROUP BY ROLLUP (city);

-- case: GROUPING outside an aggregate query
EXPLAIN SELECT city, GROUPING(city) AS g FROM clicks;

-- case: into a sink keyed by the group keys
CREATE TABLE out_rollup (city STRING, category STRING, n BIGINT, PRIMARY KEY (city, category) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'r', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO out_rollup SELECT city, category, COUNT(*) FROM orders GROUP BY ROLLUP (city, category);

-- case: a parenthesized expression as a plain group key
EXPLAIN SELECT (CHAR_LENGTH(url) + 1) * 2 AS l, COUNT(*) AS n FROM clicks GROUP BY (CHAR_LENGTH(url) + 1) * 2;
