-- Regular joins on changelogs, lookup joins, keys and residual conditions.
CREATE TABLE orders (order_id BIGINT, user_id BIGINT, amount DECIMAL(10, 2), proc AS PROCTIME(), PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'orders', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE users (user_id BIGINT, name STRING, city STRING, PRIMARY KEY (user_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'users', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE clicks (user_id BIGINT, url STRING, ts TIMESTAMP(3)) WITH ('connector' = 'kafka', 'topic' = 'clicks', 'format' = 'json');
CREATE TABLE views (user_id INT, page STRING) WITH ('connector' = 'kafka', 'topic' = 'views', 'format' = 'json');
CREATE TABLE user_dim (user_id BIGINT, name STRING, city STRING, PRIMARY KEY (user_id) NOT ENFORCED)
  WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://localhost:5433/source_db', 'table-name' = 'business.users', 'password' = 'secret');
CREATE TABLE out_orders (order_id BIGINT, name STRING, city STRING, PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'out', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE out_clicks (user_id BIGINT, url STRING, name STRING) WITH ('connector' = 'kafka', 'topic' = 'oc', 'format' = 'json');

-- case: LEFT JOIN on the dimension key keeps the order key
INSERT INTO out_orders SELECT o.order_id, COALESCE(u.name, 'Unknown User'), u.city FROM orders o LEFT JOIN users u ON o.user_id = u.user_id;

-- case: INNER JOIN with a residual condition
INSERT INTO out_orders SELECT o.order_id, u.name, u.city FROM orders o JOIN users u ON o.user_id = u.user_id AND o.amount > 100 AND u.city <> '北京';

-- case: RIGHT and FULL joins make both sides nullable
CREATE TABLE out_full (order_id BIGINT, user_id BIGINT, name STRING, PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'f', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO out_full SELECT o.order_id, u.user_id, u.name FROM orders o FULL OUTER JOIN users u ON o.user_id = u.user_id;

-- case: inner join of two append streams stays insert-only
INSERT INTO out_clicks SELECT c.user_id, c.url, v.page FROM clicks c JOIN views v ON c.user_id = v.user_id;

-- case: join key of different types is cast below the join
INSERT INTO out_clicks SELECT c.user_id, c.url, v.page FROM clicks c JOIN views v ON c.user_id = v.user_id + 0;

-- case: lookup join against a jdbc table
INSERT INTO out_orders SELECT o.order_id, d.name, d.city FROM orders AS o
  LEFT JOIN user_dim FOR SYSTEM_TIME AS OF o.proc AS d ON o.user_id = d.user_id;

-- case: lookup join needs a processing-time attribute
INSERT INTO out_clicks SELECT c.user_id, c.url, d.name FROM clicks AS c
  JOIN user_dim FOR SYSTEM_TIME AS OF c.ts AS d ON c.user_id = d.user_id;

-- case: lookup join into a table that cannot be looked up
INSERT INTO out_orders SELECT o.order_id, u.name, u.city FROM orders AS o
  JOIN users FOR SYSTEM_TIME AS OF o.proc AS u ON o.user_id = u.user_id;

-- case: join without an equality condition
INSERT INTO out_orders SELECT o.order_id, u.name, u.city FROM orders o JOIN users u ON o.amount > 10;

-- case: comma join is a cross join
INSERT INTO out_orders SELECT o.order_id, u.name, u.city FROM orders o, users u;

-- case: ambiguous column
INSERT INTO out_orders SELECT order_id, name, city FROM orders o JOIN users u ON o.user_id = u.user_id WHERE user_id > 0;

-- case: three-way join
CREATE TABLE cities (city STRING, tier STRING, PRIMARY KEY (city) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'cities', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO out_orders SELECT o.order_id, u.name, c.tier FROM orders o LEFT JOIN users u ON o.user_id = u.user_id LEFT JOIN cities c ON u.city = c.city;

-- case: STATE_TTL hint sets the state TTL of each side of a join, by alias
INSERT INTO out_orders SELECT /*+ STATE_TTL('o' = '1d', 'u' = '12 h') */ o.order_id, u.name, u.city FROM orders o LEFT JOIN users u ON o.user_id = u.user_id;

-- case: STATE_TTL hint by table name, of one side; in a cascade the second join's left input has no name
CREATE TABLE cities (city STRING, tier STRING, PRIMARY KEY (city) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'cities', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO out_orders SELECT /*+ STATE_TTL('users' = '2d', 'cities' = '7d') */ orders.order_id, users.name, cities.tier FROM orders LEFT JOIN users ON orders.user_id = users.user_id LEFT JOIN cities ON users.city = cities.city;

-- case: STATE_TTL hint: of a key given twice in a hint the last counts, in two hints the first
INSERT INTO out_orders SELECT /*+ STATE_TTL('o' = '1d', 'o' = '2d'), STATE_TTL('u' = '3d', 'o' = '4d') */ o.order_id, u.name, u.city FROM orders o JOIN users u ON o.user_id = u.user_id;

-- case: STATE_TTL hint does not reach into a subquery, which is a query block of its own
INSERT INTO out_orders SELECT /*+ STATE_TTL('o' = '1d') */ t.order_id, t.name, t.city FROM (SELECT o.order_id, u.name, u.city FROM orders o JOIN users u ON o.user_id = u.user_id) t;

-- case: STATE_TTL hint naming no input of a join or aggregate
INSERT INTO out_orders SELECT /*+ STATE_TTL('orders' = '1d') */ o.order_id, u.name, u.city FROM orders o JOIN users u ON o.user_id = u.user_id;

-- case: STATE_TTL hint with a value that is not a duration
INSERT INTO out_orders SELECT /*+ STATE_TTL('o' = 'a while') */ o.order_id, u.name, u.city FROM orders o JOIN users u ON o.user_id = u.user_id;

-- case: STATE_TTL hint without options
INSERT INTO out_orders SELECT /*+ STATE_TTL() */ o.order_id, u.name, u.city FROM orders o JOIN users u ON o.user_id = u.user_id;

-- case: join strategy hints are batch hints
INSERT INTO out_orders SELECT /*+ BROADCAST(u) */ o.order_id, u.name, u.city FROM orders o JOIN users u ON o.user_id = u.user_id;

-- case: a table hint (dynamic table options) with an option the connector does not have
INSERT INTO out_orders SELECT o.order_id, u.name, u.city FROM orders /*+ OPTIONS('scan.startup.mode' = 'earliest-offset') */ o JOIN users u ON o.user_id = u.user_id;

-- case: a hint where Flink reads none
INSERT INTO out_orders SELECT o.order_id, u.name, u.city FROM orders o JOIN users u ON /*+ STATE_TTL('o' = '1d') */ o.user_id = u.user_id;
