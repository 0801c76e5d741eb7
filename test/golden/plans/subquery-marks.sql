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
CREATE TABLE out_clicks (user_id BIGINT, url STRING) WITH ('connector' = 'kafka', 'topic' = 'oc', 'format' = 'debezium-json');

-- case: (a, b) IN (SELECT x, y ...) is a semi join on both pairs
INSERT INTO out_clicks SELECT user_id, url FROM clicks WHERE (user_id, url) IN (SELECT user_id, status FROM orders);

-- case: (a, b) NOT IN (SELECT x, y ...) is an anti join, each pair with its NULL semantics
INSERT INTO out_clicks SELECT user_id, url FROM clicks WHERE (user_id, url) NOT IN (SELECT user_id, status FROM orders WHERE amount > 10);

-- case: (a, b) IN with a subquery of another number of columns
INSERT INTO out_clicks SELECT user_id, url FROM clicks WHERE (user_id, url) IN (SELECT user_id FROM orders);
