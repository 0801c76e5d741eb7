-- STDDEV/VAR (reduced to SUM and COUNT as Flink's AggregateReduceFunctionsRule does), LISTAGG,
-- COLLECT, DISTINCT and FILTER (WHERE ...). A regression pin of our planner's output.
CREATE TABLE orders (order_id BIGINT, user_id BIGINT, city STRING, amount DECIMAL(10, 2), quantity INT, price DOUBLE,
  order_time TIMESTAMP(3), WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'orders', 'format' = 'json');
CREATE TABLE out_stats (city STRING, sd_q INT, var_price DOUBLE, var_amount DECIMAL(38, 6), PRIMARY KEY (city) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 's', 'key.format' = 'json', 'value.format' = 'json');
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
