-- Table hints: Flink's dynamic table options, `t /*+ OPTIONS('key' = 'value') */`, override the
-- table's options for that reference only, checked by the connector as a CREATE TABLE's are.
CREATE TABLE clicks (user_id BIGINT, url STRING) WITH ('connector' = 'kafka', 'topic' = 'clicks',
  'properties.bootstrap.servers' = 'localhost:9092', 'format' = 'json');
CREATE TABLE users (user_id BIGINT, name STRING, city STRING, PRIMARY KEY (user_id) NOT ENFORCED)
  WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://localhost:5433/source_db', 'table-name' = 'business.users', 'password' = 'secret');
CREATE TABLE out_clicks (user_id BIGINT, url STRING) WITH ('connector' = 'kafka', 'topic' = 'out',
  'properties.bootstrap.servers' = 'localhost:9092', 'format' = 'json');
CREATE VIEW recent AS SELECT * FROM clicks;

-- case: OPTIONS on a source: the scan shows the hint
INSERT INTO out_clicks SELECT user_id, url FROM clicks /*+ OPTIONS('scan.startup.mode' = 'earliest-offset') */;

-- case: two references to one table, one hinted, with an alias after the hint
INSERT INTO out_clicks SELECT a.user_id, b.url FROM clicks /*+ OPTIONS('scan.startup.mode' = 'latest-offset') */ AS a
  JOIN clicks b ON a.user_id = b.user_id;

-- case: OPTIONS on the INSERT target, and on a lookup table (its cache), secrets redacted
INSERT INTO out_clicks /*+ OPTIONS('sink.parallelism' = '1', 'properties.linger.ms' = '5') */
SELECT c.user_id, u.name FROM (SELECT *, PROCTIME() AS proc FROM clicks) c
  JOIN users /*+ OPTIONS('lookup.cache' = 'PARTIAL', 'lookup.partial-cache.max-rows' = '100', 'password' = 'other') */
  FOR SYSTEM_TIME AS OF c.proc AS u ON c.user_id = u.user_id;

-- case: an unknown option is the connector's error, listing the valid ones
INSERT INTO out_clicks SELECT user_id, url FROM clicks /*+ OPTIONS('scan.startup.mod' = 'earliest-offset') */;

-- case: a value of the wrong type
INSERT INTO out_clicks SELECT user_id, url FROM clicks /*+ OPTIONS('scan.startup.mode' = 'yesterday') */;

-- case: OPTIONS on a view
INSERT INTO out_clicks SELECT user_id, url FROM recent /*+ OPTIONS('scan.startup.mode' = 'earliest-offset') */;

-- case: a table hint Flink does not have
INSERT INTO out_clicks SELECT user_id, url FROM clicks /*+ PROPERTIES('a' = 'b') */;

-- case: dynamic table options switched off
SET 'table.dynamic-table-options.enabled' = 'false';
INSERT INTO out_clicks SELECT user_id, url FROM clicks /*+ OPTIONS('scan.startup.mode' = 'earliest-offset') */;
