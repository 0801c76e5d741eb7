-- Regression pins (plans written by Rivulet, reviewed by hand against the shapes of Flink 1.18's SubQueryRemoveRule / FlinkSubQueryRemoveRule): multi-column IN, IN and EXISTS under OR and NOT (mark joins).
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

-- case: (a, b) IN (SELECT x, y ...) is a semi join on both pairs
INSERT INTO out_clicks SELECT user_id, url FROM clicks WHERE (user_id, url) IN (SELECT user_id, status FROM orders);

-- case: (a, b) NOT IN (SELECT x, y ...) is an anti join, each pair with its NULL semantics
INSERT INTO out_clicks SELECT user_id, url FROM clicks WHERE (user_id, url) NOT IN (SELECT user_id, status FROM orders WHERE amount > 10);

-- case: (a, b) IN with a subquery of another number of columns
INSERT INTO out_clicks SELECT user_id, url FROM clicks WHERE (user_id, url) IN (SELECT user_id FROM orders);

-- case: IN under OR is a LEFT join with the subquery's distinct values marked true, then i IS NOT NULL
INSERT INTO out_orders SELECT order_id, amount FROM orders WHERE status = 'PAID' OR user_id IN (SELECT user_id FROM users WHERE city = 'Berlin');

-- case: NOT EXISTS under OR, correlated on an equality: distinct correlation values, LEFT joined on it
INSERT INTO out_orders SELECT o.order_id, o.amount FROM orders o WHERE o.amount > 100 OR NOT EXISTS (SELECT * FROM users u WHERE u.user_id = o.user_id AND u.city = 'Berlin');

-- case: EXISTS under OR, uncorrelated: one marker row while the subquery has rows
INSERT INTO out_orders SELECT order_id, amount FROM orders WHERE amount > 100 OR EXISTS (SELECT 1 FROM users WHERE city = 'Berlin');

-- case: two subqueries under OR, one of them of a GROUP BY query
INSERT INTO out_orders SELECT order_id, amount FROM orders WHERE user_id IN (SELECT user_id FROM clicks) OR user_id IN (SELECT user_id FROM orders GROUP BY user_id HAVING COUNT(*) > 2);

-- case: IN of columns that cannot be NULL read as it is (IS NOT TRUE) is the marker
INSERT INTO out_users SELECT user_id FROM users WHERE (user_id IN (SELECT order_id FROM orders)) IS NOT TRUE;

-- case: IN in the SELECT list, of columns that cannot be NULL, is the marker
INSERT INTO out_flags SELECT user_id, user_id IN (SELECT order_id FROM orders) AS flag FROM users;

-- case: EXISTS in the SELECT list, correlated on an equality
INSERT INTO out_flags SELECT u.user_id, EXISTS (SELECT * FROM orders o WHERE o.user_id = u.user_id AND o.status = 'PAID') FROM users u;

-- case: IN in the SELECT list of a column that can be NULL: the count join first, then Calcite's CASE (three-valued)
INSERT INTO out_flags SELECT order_id, user_id IN (SELECT user_id FROM clicks) FROM orders;

-- case: NOT IN under OR of columns that can be NULL: the count join first, then NOT of Calcite's CASE
INSERT INTO out_orders SELECT order_id, amount FROM orders WHERE amount > 100 OR user_id NOT IN (SELECT user_id FROM clicks);

-- case: EXISTS under OR correlated by another comparison than an equality is refused
INSERT INTO out_orders SELECT o.order_id, o.amount FROM orders o WHERE o.amount > 100 OR EXISTS (SELECT 1 FROM orders p WHERE p.amount > o.amount);

-- case: IN under OR in HAVING: the marker join over the aggregate's rows
INSERT INTO out_users SELECT user_id FROM orders GROUP BY user_id HAVING user_id IN (SELECT user_id FROM users) OR COUNT(*) > 3;
