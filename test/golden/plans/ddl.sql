-- CREATE TABLE validation: connector options, keys, metadata, watermarks.

-- case: postgres-cdc source with metadata columns
CREATE TABLE orders (
  order_id BIGINT,
  status STRING,
  op_ts TIMESTAMP_LTZ(3) METADATA FROM 'op_ts' VIRTUAL,
  tbl STRING METADATA FROM 'table_name' VIRTUAL,
  PRIMARY KEY (order_id) NOT ENFORCED
) WITH ('connector' = 'postgres-cdc', 'hostname' = 'h', 'username' = 'u', 'password' = 'p',
  'database-name' = 'd', 'schema-name' = 's', 'table-name' = 't', 'slot.name' = 'slot1');
CREATE TABLE sink (order_id BIGINT, status STRING, op_ts TIMESTAMP_LTZ(3), tbl STRING, PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'x', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO sink SELECT * FROM orders;

-- case: unknown option names the valid ones
CREATE TABLE t (id INT) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json', 'scan.startup.mod' = 'earliest-offset');

-- case: missing required options
CREATE TABLE t (id INT, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'postgres-cdc', 'hostname' = 'h');

-- case: kafka table with json format and a primary key
CREATE TABLE t (id INT, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json');

-- case: upsert-kafka table without a primary key
CREATE TABLE t (id INT) WITH ('connector' = 'upsert-kafka', 'topic' = 't', 'key.format' = 'json', 'value.format' = 'json');

-- case: unknown connector
CREATE TABLE t (id INT) WITH ('connector' = 'hbase-2.2', 'table-name' = 't');

-- case: no connector at all
CREATE TABLE t (id INT);

-- case: invalid enum value
CREATE TABLE t (id INT) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json', 'scan.startup.mode' = 'beginning');

-- case: unknown metadata key
CREATE TABLE t (id INT, p BIGINT METADATA FROM 'position') WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json');

-- case: primary key on a computed column
CREATE TABLE t (id INT, id2 AS id + 1, PRIMARY KEY (id2) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = 't', 'key.format' = 'json', 'value.format' = 'json');

-- case: table defined twice
CREATE TABLE t (id INT) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json');
CREATE TABLE t (id INT) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json');

-- case: IF NOT EXISTS keeps the first definition
CREATE TABLE t (id INT) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json');
CREATE TABLE IF NOT EXISTS t (other STRING) WITH ('connector' = 'kafka', 'topic' = 'u', 'format' = 'json');
CREATE TABLE s (id INT) WITH ('connector' = 'kafka', 'topic' = 's', 'format' = 'json');
INSERT INTO s SELECT id FROM t;

-- case: watermark on a column of the wrong type
CREATE TABLE t (id INT, ts STRING, WATERMARK FOR ts AS ts) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json');
CREATE TABLE s (id INT) WITH ('connector' = 'kafka', 'topic' = 's', 'format' = 'json');
INSERT INTO s SELECT id FROM t;

-- case: watermark and computed columns in the scan
CREATE TABLE t (id INT, amount DECIMAL(10, 2), ts TIMESTAMP(3), doubled AS amount * 2, proc AS PROCTIME(),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json');
CREATE TABLE s (id INT, doubled DECIMAL(21, 2), ts TIMESTAMP(3)) WITH ('connector' = 'kafka', 'topic' = 's', 'format' = 'json');
INSERT INTO s SELECT id, doubled, ts FROM t;

-- case: jdbc url for another database
CREATE TABLE t (id INT) WITH ('connector' = 'jdbc', 'url' = 'jdbc:mysql://h:3306/db', 'table-name' = 't');

-- case: a catalog other than the default
CREATE TABLE hive.db.t (id INT) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json');

-- case: secrets are not printed in option errors
CREATE TABLE t (id INT, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'postgres-cdc', 'hostname' = 'h', 'username' = 'u',
  'password' = 'hunter2', 'database-name' = 'd', 'schema-name' = 's', 'table-name' = 't', 'slot.name' = 'x', 'port' = 'abc');
