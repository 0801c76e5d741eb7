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
