-- Correlated scalar subqueries, decorrelated as Flink's SubQueryDecorrelator does for an aggregate
-- correlated by equalities: the aggregate grouped by the correlated columns, LEFT joined on them.
-- A regression pin written by Rivulet and checked by hand, not Flink's own output.
CREATE TABLE orders (order_id BIGINT, user_id BIGINT, cat STRING, amount DECIMAL(10, 2), status STRING,
  PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'orders', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE products (product_id BIGINT, cat STRING, price DECIMAL(10, 2), PRIMARY KEY (product_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'products', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE out_orders (order_id BIGINT, v DECIMAL(38, 2), PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'out', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE out_counts (order_id BIGINT, n BIGINT, PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'oc', 'key.format' = 'json', 'value.format' = 'json');

-- case: the most expensive product of the order's category, in SELECT
INSERT INTO out_orders
SELECT o.order_id, (SELECT MAX(p.price) FROM products p WHERE p.cat = o.cat) FROM orders o;

-- case: COUNT is 0 for an order whose category has no product, and the subquery's own filter stays inside
INSERT INTO out_counts
SELECT o.order_id, (SELECT COUNT(*) FROM products p WHERE p.price > 10 AND o.cat = p.cat) FROM orders o;

-- case: a correlated scalar subquery compared in WHERE, correlated on two columns
INSERT INTO out_orders
SELECT o.order_id, o.amount FROM orders o
WHERE o.amount > (SELECT AVG(x.amount) FROM orders x WHERE x.user_id = o.user_id AND x.cat = o.cat);

-- case: a correlation other than an equality is refused
INSERT INTO out_orders
SELECT o.order_id, (SELECT MAX(p.price) FROM products p WHERE p.price < o.amount) FROM orders o;

-- case: a correlated subquery that does not aggregate is refused
INSERT INTO out_orders
SELECT o.order_id, (SELECT p.price FROM products p WHERE p.cat = o.cat) FROM orders o;
