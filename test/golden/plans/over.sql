-- OVER aggregates (Flink's OverAggregate): windows ordered by a time attribute, ending at the current row.
CREATE TABLE orders (order_id BIGINT, user_id BIGINT, product STRING, amount DECIMAL(10, 2), qty INT,
  order_time TIMESTAMP(3), proc AS PROCTIME(), WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'orders', 'format' = 'json');
CREATE TABLE orders_cdc (order_id BIGINT, product STRING, amount DECIMAL(10, 2), order_time TIMESTAMP(3),
  proc AS PROCTIME(), PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'orders_cdc', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE moving (order_id BIGINT, product STRING, amount DECIMAL(10, 2), total DECIMAL(38, 2), cnt BIGINT)
  WITH ('connector' = 'kafka', 'topic' = 'm', 'format' = 'json');
CREATE TABLE stats (order_id BIGINT, avg_amount DECIMAL(38, 6), min_qty INT, max_qty INT, cnt BIGINT)
  WITH ('connector' = 'kafka', 'topic' = 's', 'format' = 'json');

-- case: the sum of the current and two preceding rows of each product, on event time
INSERT INTO moving SELECT order_id, product, amount,
  SUM(amount) OVER (PARTITION BY product ORDER BY order_time ROWS BETWEEN 2 PRECEDING AND CURRENT ROW),
  COUNT(*) OVER (PARTITION BY product ORDER BY order_time ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)
FROM orders;

-- case: an hour of each product (Flink's documented example), through a named window
INSERT INTO moving SELECT order_id, product, amount, SUM(amount) OVER w, COUNT(amount) OVER w
FROM orders
WINDOW w AS (PARTITION BY product ORDER BY order_time RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW);

-- case: unbounded, on processing time, without PARTITION BY; several aggregates, one computed once
INSERT INTO stats SELECT order_id, AVG(amount) OVER w, MIN(qty) OVER w, MAX(qty) OVER w, COUNT(*) OVER w
FROM orders WINDOW w AS (ORDER BY proc ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);

-- case: without a frame the window is RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW; expressions go to a Calc below
INSERT INTO moving SELECT order_id, product, amount, SUM(amount * qty) OVER (PARTITION BY UPPER(product) ORDER BY order_time),
  COUNT(DISTINCT user_id) OVER (PARTITION BY UPPER(product) ORDER BY order_time)
FROM orders WHERE qty > 0;

-- case: ROWS n PRECEDING without BETWEEN, SELECT * with the aggregate, in a view read by another query
CREATE TEMPORARY VIEW recent AS SELECT *, SUM(amount) OVER (PARTITION BY product ORDER BY proc ROWS 5 PRECEDING) AS total
  FROM orders;
INSERT INTO moving SELECT order_id, product, amount, total, CAST(qty AS BIGINT) FROM recent WHERE total > 100;

-- case: an updating input: Flink's error, naming the node that produces the updates
INSERT INTO moving SELECT order_id, product, amount,
  SUM(amount) OVER (PARTITION BY product ORDER BY proc ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), 1
FROM orders_cdc;

-- case: ordered by a column that is not a time attribute
INSERT INTO moving SELECT order_id, product, amount,
  SUM(amount) OVER (PARTITION BY product ORDER BY order_id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), 1
FROM orders;

-- case: ordered descending
INSERT INTO moving SELECT order_id, product, amount,
  SUM(amount) OVER (PARTITION BY product ORDER BY order_time DESC), 1
FROM orders;

-- case: ordered by two columns
INSERT INTO moving SELECT order_id, product, amount,
  SUM(amount) OVER (PARTITION BY product ORDER BY order_time, order_id), 1
FROM orders;

-- case: without ORDER BY
INSERT INTO moving SELECT order_id, product, amount, SUM(amount) OVER (PARTITION BY product), 1 FROM orders;

-- case: a window reaching rows after the current one
INSERT INTO moving SELECT order_id, product, amount,
  SUM(amount) OVER (PARTITION BY product ORDER BY order_time ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING), 1
FROM orders;

-- case: two different windows in one query
INSERT INTO moving SELECT order_id, product, amount,
  SUM(amount) OVER (PARTITION BY product ORDER BY order_time ROWS BETWEEN 2 PRECEDING AND CURRENT ROW),
  COUNT(*) OVER (PARTITION BY product ORDER BY order_time ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)
FROM orders;

-- case: an interval as a ROWS bound
INSERT INTO moving SELECT order_id, product, amount,
  SUM(amount) OVER (PARTITION BY product ORDER BY order_time ROWS BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW), 1
FROM orders;

-- case: a number as a RANGE bound over time
INSERT INTO moving SELECT order_id, product, amount,
  SUM(amount) OVER (PARTITION BY product ORDER BY order_time RANGE BETWEEN 10 PRECEDING AND CURRENT ROW), 1
FROM orders;

-- case: a window name that the WINDOW clause does not define
INSERT INTO moving SELECT order_id, product, amount, SUM(amount) OVER w2, 1
FROM orders WINDOW w AS (PARTITION BY product ORDER BY order_time);

-- case: an OVER aggregate with GROUP BY
INSERT INTO moving SELECT MAX(order_id), product, MAX(amount), SUM(MAX(amount)) OVER (PARTITION BY product ORDER BY proc), 1
FROM orders GROUP BY product;

-- case: an OVER aggregate in WHERE
INSERT INTO moving SELECT order_id, product, amount, amount, 1 FROM orders
WHERE SUM(amount) OVER (PARTITION BY product ORDER BY proc) > 10;

-- case: STDDEV_POP OVER a window, which Flink 1.18 does not compute
INSERT INTO moving SELECT order_id, product, amount, STDDEV_POP(amount) OVER (PARTITION BY product ORDER BY proc), 1
FROM orders;
