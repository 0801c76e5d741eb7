-- Regression pins (plans written by Rivulet, compared by hand with Flink 1.18.1's EXPLAIN of the same queries over datagen tables): IN and NOT IN whose NULL must stay NULL over columns that can be NULL, with Calcite's count join (COUNT(*) AS c, COUNT(column) AS ck) before the marker join. Flink joins the uncorrelated count with an INNER join; Rivulet with a LEFT join, so that a subquery with no rows reads as SQL's (c NULL: FALSE).
CREATE TABLE orders (order_id BIGINT, user_id BIGINT, amount DECIMAL(10, 2), status STRING, PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'orders', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE users (user_id BIGINT, name STRING, city STRING, PRIMARY KEY (user_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'users', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE clicks (user_id BIGINT, url STRING) WITH ('connector' = 'kafka', 'topic' = 'clicks', 'format' = 'json');
CREATE TABLE out_orders (order_id BIGINT, amount DECIMAL(10, 2), PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'out', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE out_users (user_id BIGINT, PRIMARY KEY (user_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'ou', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE out_flags (user_id BIGINT, flag BOOLEAN, PRIMARY KEY (user_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'of', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE out_clicks (user_id BIGINT, url STRING) WITH ('connector' = 'kafka', 'topic' = 'oc', 'format' = 'debezium-json');

-- case: NOT IN under OR, uncorrelated: the count LEFT joined without keys, then the marker join
INSERT INTO out_orders SELECT order_id, amount FROM orders WHERE amount > 100 OR user_id NOT IN (SELECT user_id FROM clicks);

-- case: IN in the SELECT list: Calcite's CASE over c, ck and the marker
INSERT INTO out_flags SELECT order_id, user_id IN (SELECT user_id FROM clicks) FROM orders;

-- case: IN under NOT under OR, correlated on an equality: the counts grouped by the correlation key
INSERT INTO out_orders SELECT o.order_id, o.amount FROM orders AS o WHERE o.amount > 100 OR NOT (o.status IN (SELECT c.url FROM clicks AS c WHERE c.user_id = o.user_id));

-- case: IN of a value that cannot be NULL in SELECT: no NULL branch for it
INSERT INTO out_flags SELECT user_id, user_id IN (SELECT user_id FROM clicks) FROM users;

-- case: NOT IN under OR in HAVING, of an aggregate: the count join over the aggregate's rows
INSERT INTO out_users SELECT user_id FROM orders GROUP BY user_id HAVING COUNT(*) > 3 OR SUM(amount) NOT IN (SELECT amount FROM orders WHERE status = 'PAID');

-- case: (a, b) IN in the SELECT list with columns that can be NULL is refused (the count rewrite is not SQL's row comparison)
INSERT INTO out_flags SELECT order_id, (user_id, status) IN (SELECT user_id, url FROM clicks) FROM orders;
