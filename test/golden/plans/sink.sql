-- INSERT checks: columns, types, changelog modes, statement sets.
CREATE TABLE orders (order_id BIGINT, user_id BIGINT, status STRING, amount DECIMAL(10, 2), order_time TIMESTAMP(3),
  PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'postgres-cdc', 'hostname' = 'localhost', 'username' = 'postgres', 'password' = 'postgres',
    'database-name' = 'source_db', 'schema-name' = 'business', 'table-name' = 'orders', 'slot.name' = 'slot_orders');
CREATE TABLE events (id BIGINT, kind STRING) WITH ('connector' = 'kafka', 'topic' = 'events', 'format' = 'json');
CREATE TABLE kafka_out (order_id BIGINT, status STRING) WITH ('connector' = 'kafka', 'topic' = 'k', 'format' = 'json');
CREATE TABLE jdbc_keyed (order_id BIGINT, status STRING, PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://localhost:5433/sink_db', 'table-name' = 'result.t', 'password' = 'postgres');
CREATE TABLE jdbc_append (order_id BIGINT, status STRING)
  WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://localhost:5433/sink_db', 'table-name' = 'result.a');
CREATE TABLE typed (order_id BIGINT, order_hour INT, PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'typed', 'key.format' = 'json', 'value.format' = 'json');

-- case: a CDC changelog into a kafka (append-only) table
INSERT INTO kafka_out SELECT order_id, status FROM orders;

-- case: a CDC changelog into a jdbc table without a key
INSERT INTO jdbc_append SELECT order_id, status FROM orders;

-- case: a CDC changelog into a keyed jdbc table
INSERT INTO jdbc_keyed SELECT order_id, status FROM orders;

-- case: appends into a keyed jdbc table
INSERT INTO jdbc_keyed SELECT id, kind FROM events;

-- case: BIGINT into an INT column is an error (the seed's "Cannot cast BIGINT to INT")
INSERT INTO typed SELECT order_id, HOUR(order_time) FROM orders;

-- case: the explicit cast the seed recommends
INSERT INTO typed SELECT order_id, CAST(HOUR(order_time) AS INT) FROM orders;

-- case: wrong number of columns
INSERT INTO typed SELECT order_id FROM orders;

-- case: a column list fills the others with NULL
INSERT INTO typed (order_id) SELECT order_id FROM orders;

-- case: a column list naming an unknown column
INSERT INTO typed (order_id, hour) SELECT order_id, 1 FROM orders;

-- case: INSERT into a CDC table
INSERT INTO orders SELECT * FROM orders;

-- case: INSERT into a table that does not exist
INSERT INTO nowhere SELECT * FROM events;

-- case: INSERT into a view
CREATE VIEW v AS SELECT id, kind FROM events;
INSERT INTO v SELECT id, kind FROM events;

-- case: a statement set is one job with several sinks
EXECUTE STATEMENT SET BEGIN
  INSERT INTO jdbc_keyed SELECT order_id, status FROM orders;
  INSERT INTO kafka_out SELECT id, kind FROM events;
END;

-- case: the SQL client form of a statement set
BEGIN STATEMENT SET;
INSERT INTO jdbc_append SELECT id, kind FROM events;
INSERT INTO jdbc_keyed SELECT id, kind FROM events;
END;

-- case: every INSERT outside a set is its own job
INSERT INTO jdbc_append SELECT id, kind FROM events;
INSERT INTO kafka_out SELECT id, kind FROM events;

-- case: settings are checked
SET 'table.local-time-zone' = 'Mars/Olympus';

-- case: checkpoint interval must be a duration
SET 'execution.checkpointing.interval' = 'often';

-- case: a string into a number column
INSERT INTO typed SELECT order_id, status FROM orders;
