-- STDDEV/VAR (reduced to SUM and COUNT as Flink's AggregateReduceFunctionsRule does), LISTAGG,
-- COLLECT, DISTINCT and FILTER (WHERE ...). A regression pin of our planner's output.
CREATE TABLE orders (order_id BIGINT, user_id BIGINT, city STRING, amount DECIMAL(10, 2), quantity INT, price DOUBLE,
  order_time TIMESTAMP(3), WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'orders', 'format' = 'json');
CREATE TABLE out_stats (city STRING, sd_q INT, var_price DOUBLE, var_amount DECIMAL(38, 6), PRIMARY KEY (city) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 's', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE out_json (city STRING, by_user STRING, amounts STRING, PRIMARY KEY (city) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'j', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE out_lists (city STRING, users STRING, big BIGINT, cities MULTISET<STRING>, PRIMARY KEY (city) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'l', 'key.format' = 'json', 'value.format' = 'json');

-- case: STDDEV_POP of an INT is an INT, VAR_SAMP of a DOUBLE a DOUBLE, VARIANCE of a DECIMAL a DECIMAL(38, 6)
INSERT INTO out_stats SELECT city, STDDEV_POP(quantity), VAR_SAMP(price), VARIANCE(amount) FROM orders GROUP BY city;

-- case: LISTAGG with a separator, COUNT(*) FILTER, COLLECT(DISTINCT ...)
INSERT INTO out_lists SELECT city, LISTAGG(CAST(user_id AS STRING), ';'), COUNT(*) FILTER (WHERE amount > 100), COLLECT(DISTINCT city)
FROM orders GROUP BY city;

-- case: FILTER and DISTINCT on a window TVF aggregate
INSERT INTO out_lists SELECT city, LISTAGG(DISTINCT city), COUNT(DISTINCT user_id) FILTER (WHERE quantity > 1), COLLECT(city)
FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(order_time), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, city;

-- case: FILTER must be BOOLEAN
INSERT INTO out_lists SELECT city, LISTAGG(city), COUNT(*) FILTER (WHERE quantity), COLLECT(city) FROM orders GROUP BY city;

-- case: LISTAGG of a number
INSERT INTO out_lists SELECT city, LISTAGG(user_id), COUNT(*), COLLECT(city) FROM orders GROUP BY city;

-- case: FILTER on an OVER aggregate
CREATE TABLE moving (order_id BIGINT, n BIGINT) WITH ('connector' = 'kafka', 'topic' = 'm', 'format' = 'json');
INSERT INTO moving SELECT order_id, COUNT(*) FILTER (WHERE quantity > 1) OVER (PARTITION BY city ORDER BY order_time) FROM orders;

-- case: JSON_OBJECTAGG and JSON_ARRAYAGG with their NULL clauses
INSERT INTO out_json SELECT city, JSON_OBJECTAGG(KEY COALESCE(CAST(order_id AS STRING), '?') VALUE amount ABSENT ON NULL),
  JSON_ARRAYAGG(amount NULL ON NULL)
FROM orders GROUP BY city;

-- case: the key of JSON_OBJECTAGG may not be NULL
INSERT INTO out_json SELECT city, JSON_OBJECTAGG(city VALUE amount), JSON_ARRAYAGG(amount) FROM orders GROUP BY city;

-- case: JSON_ARRAYAGG in a HOP window
INSERT INTO out_json SELECT city, LISTAGG(city), JSON_ARRAYAGG(amount)
FROM TABLE(HOP(TABLE orders, DESCRIPTOR(order_time), INTERVAL '1' MINUTE, INTERVAL '2' MINUTE)) GROUP BY window_start, window_end, city;

-- case: JSON_ARRAYAGG OVER a window
CREATE TABLE moving (order_id BIGINT, n STRING) WITH ('connector' = 'kafka', 'topic' = 'm', 'format' = 'json');
INSERT INTO moving SELECT order_id, JSON_ARRAYAGG(quantity) OVER (PARTITION BY city ORDER BY order_time) FROM orders;
