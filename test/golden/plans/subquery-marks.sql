-- Regression pins (plans written by Rivulet, reviewed by hand against the shapes of Flink 1.18's SubQueryRemoveRule / FlinkSubQueryRemoveRule, and against Flink 1.18.1's EXPLAIN of the same queries over datagen tables for the count joins and the subqueries over aggregates): multi-column IN, IN and EXISTS under OR and NOT (mark joins); IN and NOT IN whose NULL must stay NULL over columns that can be NULL (Calcite's count join, COUNT(*) AS c and COUNT(column) AS ck, before the marker join; Flink joins an uncorrelated count with an INNER join, Rivulet with a LEFT join so that an empty subquery reads as SQL's); subqueries in HAVING and in the SELECT list of a GROUP BY query; STATE_TTL keys that name a subquery's join inputs.
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
