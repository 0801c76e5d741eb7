-- WITH queries, IN / EXISTS subqueries (semi and anti joins), scalar subqueries, INTERSECT, EXCEPT.
CREATE TABLE orders (order_id BIGINT, user_id BIGINT, amount DECIMAL(10, 2), status STRING, PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'orders', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE users (user_id BIGINT, name STRING, city STRING, PRIMARY KEY (user_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'users', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE clicks (user_id BIGINT, url STRING) WITH ('connector' = 'kafka', 'topic' = 'clicks', 'format' = 'json');
CREATE TABLE out_orders (order_id BIGINT, amount DECIMAL(10, 2), PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'out', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE out_users (user_id BIGINT, PRIMARY KEY (user_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'ou', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE out_clicks (user_id BIGINT, url STRING) WITH ('connector' = 'kafka', 'topic' = 'oc', 'format' = 'json');

-- case: WITH queries, the second reading the first, in an INSERT
INSERT INTO out_orders
WITH paid AS (SELECT order_id, user_id, amount FROM orders WHERE status = 'PAID'),
     big (id, total) AS (SELECT order_id, amount FROM paid WHERE amount > 100)
SELECT id, total FROM big;

-- case: a WITH query read twice, joined with itself
INSERT INTO out_orders
WITH paid AS (SELECT order_id, user_id, amount FROM orders WHERE status = 'PAID')
SELECT a.order_id, b.amount FROM paid a JOIN paid b ON a.user_id = b.user_id;

-- case: a WITH query shadows a table of the same name
INSERT INTO out_users WITH users AS (SELECT user_id FROM orders) SELECT user_id FROM users;

-- case: a WITH query cannot read a later one
INSERT INTO out_users WITH a AS (SELECT user_id FROM b), b AS (SELECT user_id FROM users) SELECT user_id FROM a;

-- case: IN with a subquery is a semi join on the value
INSERT INTO out_orders SELECT order_id, amount FROM orders WHERE status <> 'CANCELLED' AND user_id IN (SELECT user_id FROM users WHERE city = 'Berlin');

-- case: EXISTS correlated on equality is a semi join on the correlation
INSERT INTO out_orders SELECT o.order_id, o.amount FROM orders o WHERE EXISTS (SELECT * FROM users u WHERE u.user_id = o.user_id AND u.city = 'Berlin');

-- case: NOT EXISTS is an anti join; a non-equality correlation stays a residual condition
INSERT INTO out_orders SELECT o.order_id, o.amount FROM orders o WHERE NOT EXISTS (SELECT 1 FROM orders p WHERE p.user_id = o.user_id AND p.amount > o.amount);

-- case: NOT IN of a column that may be NULL is an anti join on x IS NULL OR y IS NULL OR x = y, without a key
INSERT INTO out_orders SELECT order_id, amount FROM orders WHERE user_id NOT IN (SELECT user_id FROM clicks);

-- case: NOT IN of columns that are never NULL is an anti join on the value
INSERT INTO out_users SELECT user_id FROM users WHERE user_id NOT IN (SELECT order_id FROM orders);

-- case: a semi join of append-only inputs stays insert-only
INSERT INTO out_clicks SELECT user_id, url FROM clicks WHERE user_id IN (SELECT user_id FROM clicks WHERE url = '/buy');

-- case: an uncorrelated EXISTS joins every row with the subquery's rows (no key)
INSERT INTO out_orders SELECT order_id, amount FROM orders WHERE NOT EXISTS (SELECT * FROM users WHERE city = 'Berlin');

-- case: IN with a subquery that aggregates
INSERT INTO out_orders SELECT order_id, amount FROM orders WHERE user_id IN (SELECT user_id FROM orders GROUP BY user_id HAVING COUNT(*) > 1);

-- case: nested IN subqueries
INSERT INTO out_orders SELECT order_id, amount FROM orders WHERE user_id IN (SELECT user_id FROM users WHERE user_id IN (SELECT user_id FROM clicks));

-- case: a scalar subquery compared in WHERE is an inner join with its one row
INSERT INTO out_orders SELECT order_id, amount FROM orders WHERE amount > (SELECT AVG(amount) FROM orders);

-- case: a scalar subquery in SELECT is a left join with its one row
INSERT INTO out_orders SELECT order_id, amount - (SELECT MIN(amount) FROM orders) FROM orders;

-- case: a scalar subquery that may give more than one row
INSERT INTO out_orders SELECT order_id, amount FROM orders WHERE amount > (SELECT amount FROM orders WHERE order_id = 1);

-- case: a correlated scalar subquery, decorrelated into an aggregate per user LEFT joined on it
INSERT INTO out_orders SELECT order_id, amount FROM orders o WHERE amount > (SELECT AVG(amount) FROM orders p WHERE p.user_id = o.user_id);

-- case: IN with a subquery inside OR is a LEFT join with its distinct values marked (more in subquery-marks.sql)
INSERT INTO out_orders SELECT order_id, amount FROM orders WHERE status = 'PAID' OR user_id IN (SELECT user_id FROM users);

-- case: IN with a subquery of two columns
INSERT INTO out_orders SELECT order_id, amount FROM orders WHERE user_id IN (SELECT user_id, name FROM users);

-- case: INTERSECT is a semi join on every column (NULL matches NULL), then DISTINCT
INSERT INTO out_users SELECT user_id FROM orders INTERSECT SELECT user_id FROM users;

-- case: EXCEPT is an anti join on every column, then DISTINCT
INSERT INTO out_users SELECT user_id FROM orders EXCEPT SELECT user_id FROM clicks;

-- case: SELECT DISTINCT and UNION of updating inputs are aggregates
INSERT INTO out_users SELECT DISTINCT user_id FROM orders UNION SELECT user_id FROM users;

-- case: IN with a list of values stays a condition of the Calc
INSERT INTO out_orders SELECT order_id, amount FROM orders WHERE status IN ('PAID', 'SHIPPED') AND user_id NOT IN (1, 2, NULL);

-- case: EXPLAIN of a WITH query
EXPLAIN WITH c AS (SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id) SELECT user_id FROM c WHERE n > 10;
