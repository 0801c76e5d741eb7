-- Projections, filters, expressions, views, subqueries, DISTINCT, UNION ALL, VALUES.
CREATE TABLE orders (
  order_id BIGINT, user_id BIGINT, product STRING, category STRING, quantity INT,
  price DECIMAL(10, 2), amount DECIMAL(10, 2), status STRING, order_time TIMESTAMP(3),
  PRIMARY KEY (order_id) NOT ENFORCED
) WITH ('connector' = 'upsert-kafka', 'topic' = 'orders', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE events (id BIGINT, kind STRING, payload STRING, ts TIMESTAMP(3))
  WITH ('connector' = 'kafka', 'topic' = 'events', 'format' = 'json');
CREATE TABLE events2 (quantity INT, kind STRING) WITH ('connector' = 'kafka', 'topic' = 'events2', 'format' = 'json');
CREATE TABLE out_any (a STRING, b STRING, PRIMARY KEY (a) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'out', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE out_events (id BIGINT, kind STRING) WITH ('connector' = 'kafka', 'topic' = 'out_events', 'format' = 'json');

-- case: projection with aliases and expressions
INSERT INTO out_any SELECT CAST(order_id AS STRING) AS a, UPPER(product) || '/' || category AS b FROM orders;

-- case: filter on an append stream stays insert-only
INSERT INTO out_events SELECT id, kind FROM events WHERE kind <> 'heartbeat' AND payload IS NOT NULL;

-- case: arithmetic on decimals and a computed decimal type
CREATE TABLE out_dec (order_id BIGINT, total DECIMAL(21, 2), share DECIMAL(38, 13), PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'dec', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO out_dec SELECT order_id, price * quantity, amount / 3 FROM orders;

-- case: CASE, COALESCE, IN and BETWEEN
INSERT INTO out_any SELECT
  CASE WHEN amount BETWEEN 0 AND 100 THEN 'small' WHEN amount > 1000 THEN 'large' ELSE 'medium' END,
  COALESCE(status, 'UNKNOWN')
FROM orders WHERE category IN ('电子产品', '服装鞋帽') OR category IS NULL;

-- case: constant expressions are folded
INSERT INTO out_any SELECT CAST(1 + 2 AS STRING), CONCAT('a', 'b', UPPER('c')) FROM orders;

-- case: SELECT star and qualified star
INSERT INTO out_events SELECT e.* FROM (SELECT id, kind FROM events) AS e;

-- case: a view is expanded where it is used
CREATE TEMPORARY VIEW recent AS SELECT id, kind FROM events WHERE ts > TIMESTAMP '2025-01-01 00:00:00';
INSERT INTO out_events SELECT * FROM recent WHERE kind LIKE 'order%';

-- case: view with column names
CREATE VIEW renamed (event_id, event_kind) AS SELECT id, kind FROM events;
INSERT INTO out_events SELECT event_id, event_kind FROM renamed;

-- case: DISTINCT becomes an aggregate and produces updates
CREATE TABLE out_distinct (kind STRING, PRIMARY KEY (kind) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'd', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO out_distinct SELECT DISTINCT kind FROM events;

-- case: UNION ALL of two append streams with a common type
INSERT INTO out_events SELECT id, kind FROM events UNION ALL SELECT CAST(quantity AS BIGINT), 'const' FROM events2;

-- case: UNION ALL with a changelog input into an append-only sink
INSERT INTO out_events SELECT id, kind FROM events UNION ALL SELECT order_id, status FROM orders;

-- case: UNION removes duplicates with an aggregate
CREATE TABLE out_union (kind STRING, PRIMARY KEY (kind) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'un', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO out_union SELECT kind FROM events UNION SELECT kind FROM events2;

-- case: VALUES
INSERT INTO out_events VALUES (1, 'a'), (2, 'b'), (3, CAST(NULL AS STRING));

-- case: SELECT without FROM
INSERT INTO out_events SELECT 42, 'answer';

-- case: DATE_FORMAT, HOUR and a cast as in the seed's DWD layer
CREATE TABLE out_time (order_id BIGINT, order_date STRING, order_hour INT, PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'time', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO out_time SELECT order_id, DATE_FORMAT(order_time, 'yyyy-MM-dd'), CAST(HOUR(order_time) AS INT) FROM orders;

-- case: EXPLAIN of a query
EXPLAIN SELECT order_id, amount * 2 AS doubled FROM orders WHERE status = 'PAID';

-- case: a SELECT on its own has no sink
SELECT * FROM orders;

-- case: TRY_CAST is nullable, CAST keeps nullability
CREATE TABLE out_cast (a INT NOT NULL, b INT, PRIMARY KEY (a) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'c', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO out_cast SELECT CAST(quantity AS INT), TRY_CAST(product AS INT) FROM orders;
