-- GROUP BY, HAVING, COUNT(DISTINCT), global aggregates, and what is rejected.
CREATE TABLE orders (order_id BIGINT, user_id BIGINT, city STRING, amount DECIMAL(10, 2), quantity INT, order_time TIMESTAMP(3),
  PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'orders', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE out_city (city STRING, orders BIGINT, users BIGINT, gmv DECIMAL(38, 2), avg_amount DECIMAL(38, 6), max_q INT,
  PRIMARY KEY (city) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'c', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE out_append (city STRING, orders BIGINT) WITH ('connector' = 'kafka', 'topic' = 'a', 'format' = 'json');

-- case: GROUP BY with several aggregates
INSERT INTO out_city SELECT city, COUNT(*), COUNT(DISTINCT user_id), SUM(amount), AVG(amount), MAX(quantity)
FROM orders GROUP BY city;

-- case: HAVING filters groups
INSERT INTO out_city SELECT city, COUNT(*), COUNT(DISTINCT user_id), SUM(amount), AVG(amount), MAX(quantity)
FROM orders GROUP BY city HAVING SUM(amount) > 1000;

-- case: grouping by an expression
INSERT INTO out_city SELECT UPPER(city), COUNT(*), 0, SUM(amount), AVG(amount), MIN(quantity) FROM orders GROUP BY UPPER(city);

-- case: a global aggregate has one row
CREATE TABLE out_total (total DECIMAL(38, 2), n BIGINT, PRIMARY KEY (n) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 't', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO out_total SELECT SUM(amount), COUNT(*) FROM orders;

-- case: an updating aggregate into an append-only sink
INSERT INTO out_append SELECT city, COUNT(*) FROM orders GROUP BY city;

-- case: a column that is not grouped
INSERT INTO out_append SELECT city, order_id FROM orders GROUP BY city;

-- case: aggregate in WHERE
INSERT INTO out_append SELECT city, 1 FROM orders WHERE COUNT(*) > 1;

-- case: nested aggregates
INSERT INTO out_append SELECT city, MAX(COUNT(*)) FROM orders GROUP BY city;

-- case: SUM of a string
INSERT INTO out_append SELECT city, SUM(city) FROM orders GROUP BY city;

-- case: AVG of an INT stays INT, as in Flink
CREATE TABLE out_avg (city STRING, avg_q INT, PRIMARY KEY (city) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'v', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO out_avg SELECT city, AVG(quantity) FROM orders GROUP BY city;

-- case: aggregate over a join
CREATE TABLE out_tier (tier STRING, n INT, PRIMARY KEY (tier) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'n', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE users (user_id BIGINT, tier STRING, PRIMARY KEY (user_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'users', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO out_tier SELECT u.tier, CAST(COUNT(*) AS INT) FROM orders o JOIN users u ON o.user_id = u.user_id GROUP BY u.tier;

-- case: the sink key differs from the group key: materialize per sink key
CREATE TABLE out_by_orders (orders BIGINT, city STRING, PRIMARY KEY (orders) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'b', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO out_by_orders SELECT COUNT(*), city FROM orders GROUP BY city;

-- case: STATE_TTL hint on a group aggregate, by the name of its input
INSERT INTO out_city SELECT /*+ STATE_TTL('orders' = '1d') */ city, COUNT(*), COUNT(DISTINCT user_id), SUM(amount), AVG(amount), MAX(quantity)
FROM orders WHERE amount > 0 GROUP BY city;

-- case: STATE_TTL hint on SELECT DISTINCT, by alias
CREATE TABLE out_pairs (city STRING, user_id BIGINT, PRIMARY KEY (city, user_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'p', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO out_pairs SELECT /*+ STATE_TTL('o' = '30 min') */ DISTINCT city, user_id FROM orders o;
