-- Regression pins (plans written by Rivulet, compared by hand with Flink 1.18.1's EXPLAIN of the same queries over datagen tables): subqueries in HAVING and in the SELECT list of a GROUP BY query, over the aggregate's rows; STATE_TTL keys that name a subquery's join inputs.
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
CREATE TABLE out_counts (user_id BIGINT, n BIGINT, PRIMARY KEY (user_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'oc2', 'key.format' = 'json', 'value.format' = 'json');

-- case: IN in WHERE of a GROUP BY query: the semi join below the aggregate
INSERT INTO out_counts SELECT user_id, COUNT(*) FROM orders WHERE user_id IN (SELECT user_id FROM users) GROUP BY user_id;

-- case: IN in HAVING: a semi join of the aggregate's rows
INSERT INTO out_counts SELECT user_id, COUNT(*) FROM orders GROUP BY user_id HAVING user_id IN (SELECT user_id FROM users);

-- case: HAVING with a condition and IN joined by AND: the condition filters the aggregate's rows first
INSERT INTO out_counts SELECT user_id, COUNT(*) FROM orders GROUP BY user_id HAVING user_id IN (SELECT user_id FROM users WHERE city = 'Berlin') AND COUNT(*) > 2;

-- case: NOT IN of an aggregate in HAVING: an anti join with NOT IN's NULL semantics
INSERT INTO out_counts SELECT user_id, COUNT(*) FROM orders GROUP BY user_id HAVING COUNT(*) NOT IN (SELECT order_id FROM orders WHERE status = 'PAID');

-- case: NOT EXISTS in HAVING, uncorrelated: an anti join without keys
INSERT INTO out_counts SELECT user_id, COUNT(*) FROM orders GROUP BY user_id HAVING NOT EXISTS (SELECT * FROM users WHERE city = 'Berlin');

-- case: a scalar subquery compared with an aggregate in HAVING: an inner join with its one row
INSERT INTO out_counts SELECT user_id, COUNT(*) FROM orders GROUP BY user_id HAVING COUNT(*) > (SELECT COUNT(*) FROM users);

-- case: IN under OR in HAVING: the marker join over the aggregate's rows
INSERT INTO out_counts SELECT user_id, COUNT(*) FROM orders GROUP BY user_id HAVING COUNT(*) > 1 OR user_id IN (SELECT user_id FROM clicks);

-- case: a scalar subquery in the SELECT list of a GROUP BY query: a LEFT join of the aggregate's rows with its one row
INSERT INTO out_counts SELECT user_id, (SELECT COUNT(*) FROM clicks) FROM orders GROUP BY user_id;

-- case: EXISTS in the SELECT list of a GROUP BY query: the marker join
INSERT INTO out_flags SELECT user_id, EXISTS (SELECT * FROM users WHERE city = 'Berlin') FROM orders GROUP BY user_id;

-- case: a correlated subquery in HAVING is refused (Flink 1.18 joins it on the aggregate's column at the outer column's position)
INSERT INTO out_counts SELECT user_id, COUNT(*) FROM orders AS o GROUP BY user_id HAVING NOT EXISTS (SELECT * FROM clicks AS c WHERE c.user_id = o.user_id);

-- case: a correlated scalar subquery in HAVING is refused
INSERT INTO out_counts SELECT user_id, COUNT(*) FROM orders AS o GROUP BY user_id HAVING COUNT(*) > (SELECT COUNT(*) FROM clicks AS c WHERE c.user_id = o.user_id);

-- case: a correlated subquery in the SELECT list of a GROUP BY query is refused
INSERT INTO out_flags SELECT user_id, EXISTS (SELECT * FROM clicks AS c WHERE c.user_id = o.user_id) FROM orders AS o GROUP BY user_id;

-- case: a subquery in GROUP BY is refused
INSERT INTO out_counts SELECT user_id, COUNT(*) FROM orders GROUP BY user_id, user_id IN (SELECT user_id FROM users);

-- case: STATE_TTL naming the table of an IN subquery is refused: no hint reaches the semi join
INSERT INTO out_users SELECT /*+ STATE_TTL('u' = '1d') */ o.user_id FROM orders AS o WHERE o.user_id IN (SELECT u.user_id FROM users AS u);

-- case: STATE_TTL naming the outer table of a NOT EXISTS anti join is refused the same way
INSERT INTO out_users SELECT /*+ STATE_TTL('o' = '1d') */ o.user_id FROM orders AS o WHERE NOT EXISTS (SELECT * FROM users AS u WHERE u.user_id = o.user_id);

-- case: STATE_TTL on the aggregate of a query with an IN subquery: the aggregate takes it, the semi join keeps the job's TTL
INSERT INTO out_counts SELECT /*+ STATE_TTL('orders' = '1d') */ user_id, COUNT(*) FROM orders WHERE user_id IN (SELECT user_id FROM users) GROUP BY user_id;
