-- Top-N (Rank) and deduplication: ROW_NUMBER() OVER in a subquery filtered by the outer WHERE.
CREATE TABLE orders (order_id BIGINT, user_id BIGINT, city STRING, amount DECIMAL(10, 2), order_time TIMESTAMP(3),
  proc AS PROCTIME(), WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'orders', 'format' = 'json');
CREATE TABLE orders_cdc (order_id BIGINT, user_id BIGINT, city STRING, amount DECIMAL(10, 2), order_time TIMESTAMP(3),
  proc AS PROCTIME(), PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'orders_cdc', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE top_city (city STRING, order_id BIGINT, amount DECIMAL(10, 2), rn BIGINT, PRIMARY KEY (city, rn) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 't', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE top_orders (order_id BIGINT, city STRING, amount DECIMAL(10, 2), PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'o', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE per_city (city STRING, order_id BIGINT, amount DECIMAL(10, 2), PRIMARY KEY (city) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'p', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE append_out (city STRING, order_id BIGINT, amount DECIMAL(10, 2))
  WITH ('connector' = 'kafka', 'topic' = 'a', 'format' = 'json');

-- case: Top-3 per city of an append-only input, with the rank number (AppendFastStrategy)
INSERT INTO top_city SELECT city, order_id, amount, rn FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY city ORDER BY amount DESC) AS rn FROM orders) WHERE rn <= 3;

-- case: without the rank number in the outer projection the Rank does not output it
INSERT INTO top_orders SELECT order_id, city, amount FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY city ORDER BY amount DESC) AS rn FROM orders) WHERE rn < 4;

-- case: an updating input (upsert source, normalized) takes the RetractStrategy
INSERT INTO top_city SELECT city, order_id, amount, rn FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY city ORDER BY amount DESC, order_id) AS rn FROM orders_cdc) WHERE rn <= 3;

-- case: rn BETWEEN and other conditions: the range goes to the Rank, the rest to a Calc above
INSERT INTO top_city SELECT city, order_id, amount, rn FROM (
  SELECT order_id, city, amount, ROW_NUMBER() OVER (PARTITION BY city ORDER BY amount ASC) AS rn FROM orders_cdc
  WHERE amount > 0) t WHERE rn BETWEEN 2 AND 5 AND t.city <> 'x';

-- case: a Top-N of counts over an append-only input is updated in place (UpdateFastStrategy)
CREATE TABLE top_users (city STRING, user_id BIGINT, cnt BIGINT, rn BIGINT, PRIMARY KEY (city, rn) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'u', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO top_users SELECT * FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY city ORDER BY cnt DESC) AS rn
  FROM (SELECT city, user_id, COUNT(*) AS cnt FROM orders GROUP BY city, user_id)) WHERE rn <= 3;

-- case: a Top-N of sums is not monotonic: RetractStrategy
CREATE TABLE top_sums (city STRING, user_id BIGINT, total DECIMAL(38, 2), rn BIGINT, PRIMARY KEY (city, rn) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 's', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO top_sums SELECT * FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY city ORDER BY total DESC) AS rn
  FROM (SELECT city, user_id, SUM(amount) AS total FROM orders GROUP BY city, user_id)) WHERE rn <= 3;

-- case: Top-1 ordered by a non-time column keeps a Rank; rn = 1 becomes a constant
INSERT INTO top_city SELECT city, order_id, amount, rn FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY city ORDER BY amount DESC) AS rn FROM orders_cdc) WHERE rn = 1;

-- case: an expression in ORDER BY is computed below the Rank
INSERT INTO top_orders SELECT order_id, city, amount FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY city ORDER BY amount * -1) AS rn FROM orders) WHERE rn <= 2;

-- case: a global Top-N (no PARTITION BY) of a view
CREATE TEMPORARY VIEW ranked AS SELECT order_id, city, amount, ROW_NUMBER() OVER (ORDER BY amount DESC) AS rn FROM orders;
INSERT INTO top_orders SELECT order_id, city, amount FROM ranked WHERE rn <= 10;

-- case: deduplication keeping the first row on processing time is append-only
INSERT INTO append_out SELECT city, order_id, amount FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY city ORDER BY proc ASC) AS rn FROM orders) WHERE rn = 1;

-- case: deduplication keeping the last row on processing time emits updates
INSERT INTO per_city SELECT city, order_id, amount FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY city ORDER BY proc DESC) AS rn FROM orders) WHERE rn = 1;

-- case: deduplication on event time, first and last row
INSERT INTO per_city SELECT city, order_id, amount FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY city ORDER BY order_time ASC) AS rn FROM orders) WHERE rn <= 1;
INSERT INTO per_city SELECT city, order_id, amount FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY city ORDER BY order_time DESC) AS rn FROM orders) WHERE rn = 1;

-- case: deduplication with the rank column selected: a constant 1
CREATE TABLE per_city_rn (city STRING, order_id BIGINT, rn BIGINT, PRIMARY KEY (city) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'r', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO per_city_rn SELECT city, order_id, rn FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY city ORDER BY proc DESC) AS rn FROM orders) WHERE rn = 1;

-- case: a Top-N into an append-only sink
INSERT INTO append_out SELECT city, order_id, amount FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY city ORDER BY amount DESC) AS rn FROM orders) WHERE rn <= 3;

-- case: deduplication of an updating input is Flink 1.18's error
INSERT INTO per_city SELECT city, order_id, amount FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY city ORDER BY proc DESC) AS rn FROM orders_cdc) WHERE rn = 1;

-- case: ROW_NUMBER without a filter on it
INSERT INTO top_city SELECT city, order_id, amount, rn FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY city ORDER BY amount DESC) AS rn FROM orders);

-- case: a filter with only a lower bound
INSERT INTO top_city SELECT city, order_id, amount, rn FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY city ORDER BY amount DESC) AS rn FROM orders) WHERE rn > 3;

-- case: a filter that is not on the rank alone
INSERT INTO top_city SELECT city, order_id, amount, rn FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY city ORDER BY amount DESC) AS rn FROM orders) WHERE rn + 1 <= 3;

-- case: RANK is not supported on a stream
INSERT INTO top_city SELECT city, order_id, amount, rn FROM (
  SELECT *, RANK() OVER (PARTITION BY city ORDER BY amount DESC) AS rn FROM orders) WHERE rn <= 3;

-- case: ROW_NUMBER without ORDER BY
INSERT INTO top_city SELECT city, order_id, amount, rn FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY city) AS rn FROM orders) WHERE rn <= 3;

-- case: ROW_NUMBER over a named window is resolved from the WINDOW clause
INSERT INTO top_orders SELECT order_id, city, amount FROM (
  SELECT *, ROW_NUMBER() OVER w AS rn FROM orders WINDOW w AS (PARTITION BY city ORDER BY amount DESC)) WHERE rn <= 2;

-- case: a rank end read from a column of the input (Flink's VariableRankRange), computed below the Rank
INSERT INTO top_city SELECT city, order_id, amount, rn FROM (
  SELECT city, order_id, amount, CAST(user_id AS INT) AS n, ROW_NUMBER() OVER (PARTITION BY city ORDER BY amount DESC) AS rn
  FROM orders) WHERE rn <= n;

-- case: a variable rank end with a lower bound too is no rank range in Flink 1.18
INSERT INTO top_city SELECT city, order_id, amount, rn FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY city ORDER BY amount DESC) AS rn FROM orders) WHERE rn <= user_id AND rn > 1;

-- case: a variable rank end must be a column, not an expression
INSERT INTO top_city SELECT city, order_id, amount, rn FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY city ORDER BY amount DESC) AS rn FROM orders) WHERE rn <= user_id + 1;

-- case: a variable rank end of a type Flink's Top-N cannot read
INSERT INTO top_city SELECT city, order_id, amount, rn FROM (
  SELECT city, order_id, amount, CAST(user_id AS TINYINT) AS n, ROW_NUMBER() OVER (PARTITION BY city ORDER BY amount DESC) AS rn
  FROM orders) WHERE rn <= n;

-- case: a window Top-N with a variable rank end is Flink 1.18's error
INSERT INTO top_orders SELECT order_id, city, amount FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY amount DESC) AS rn
  FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(order_time), INTERVAL '1' MINUTE))) WHERE rn <= user_id;

-- case: rn < col ends the rank at col, as rn <= col does (Flink 1.18's RankUtil drops the comparison)
INSERT INTO top_city SELECT city, order_id, amount, rn FROM (
  SELECT city, order_id, amount, CAST(user_id AS INT) AS n, ROW_NUMBER() OVER (PARTITION BY city ORDER BY amount DESC) AS rn
  FROM orders) WHERE rn < n;

-- case: rn = col of a BIGINT column ends the rank at col too
INSERT INTO top_city SELECT city, order_id, amount, rn FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY city ORDER BY amount DESC) AS rn FROM orders) WHERE rn = user_id;

-- case: rn = col of an INT column is no rank range (Calcite casts the column for =; Flink 1.18 plans no Rank)
INSERT INTO top_city SELECT city, order_id, amount, rn FROM (
  SELECT city, order_id, amount, CAST(user_id AS INT) AS n, ROW_NUMBER() OVER (PARTITION BY city ORDER BY amount DESC) AS rn
  FROM orders) WHERE rn = n;
