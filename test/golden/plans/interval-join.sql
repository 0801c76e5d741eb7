-- Interval joins (Flink's IntervalJoin) and event-time temporal joins (TemporalJoin).
CREATE TABLE orders (order_id BIGINT, currency STRING, amount DECIMAL(10, 2), order_time TIMESTAMP(3),
  proc AS PROCTIME(), WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'orders', 'format' = 'json');
CREATE TABLE shipments (ship_id BIGINT, order_id BIGINT, ship_time TIMESTAMP(3), proc AS PROCTIME(),
  WATERMARK FOR ship_time AS ship_time - INTERVAL '5' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'shipments', 'format' = 'json');
CREATE TABLE order_changes (order_id BIGINT, order_time TIMESTAMP(3), PRIMARY KEY (order_id) NOT ENFORCED,
  WATERMARK FOR order_time AS order_time)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'order_changes', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE rates (currency STRING, rate DECIMAL(10, 4), update_time TIMESTAMP(3),
  PRIMARY KEY (currency) NOT ENFORCED, WATERMARK FOR update_time AS update_time)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'rates', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE rates_cdc (currency STRING, rate DECIMAL(10, 4), update_time TIMESTAMP(3),
  PRIMARY KEY (currency) NOT ENFORCED, WATERMARK FOR update_time AS update_time - INTERVAL '1' SECOND)
  WITH ('connector' = 'postgres-cdc', 'hostname' = 'localhost', 'username' = 'u', 'password' = 'p',
    'database-name' = 'db', 'schema-name' = 'public', 'table-name' = 'rates', 'slot.name' = 'rates');
CREATE TABLE rates_no_key (currency STRING, rate DECIMAL(10, 4), update_time TIMESTAMP(3),
  WATERMARK FOR update_time AS update_time)
  WITH ('connector' = 'kafka', 'topic' = 'rates', 'format' = 'json');
CREATE TABLE rates_no_time (currency STRING, rate DECIMAL(10, 4), PRIMARY KEY (currency) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'rates', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE shipped (order_id BIGINT, order_time TIMESTAMP(3), ship_id BIGINT, ship_time TIMESTAMP(3))
  WITH ('connector' = 'kafka', 'topic' = 'shipped', 'format' = 'json');
CREATE TABLE converted (order_id BIGINT, amount DECIMAL(20, 6), order_time TIMESTAMP(3))
  WITH ('connector' = 'kafka', 'topic' = 'converted', 'format' = 'json');
CREATE VIEW versioned_rates AS SELECT currency, rate, update_time FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY currency ORDER BY update_time DESC) AS rn FROM rates_no_key) WHERE rn = 1;

-- case: inner interval join with BETWEEN
INSERT INTO shipped SELECT o.order_id, CAST(o.order_time AS TIMESTAMP(3)), s.ship_id, s.ship_time
FROM orders o JOIN shipments s ON o.order_id = s.order_id
  AND s.ship_time BETWEEN o.order_time - INTERVAL '1' HOUR AND o.order_time + INTERVAL '10' MINUTE;

-- case: left interval join with >= and < (a strict bound is 1 ms tighter)
INSERT INTO shipped SELECT o.order_id, CAST(o.order_time AS TIMESTAMP(3)), s.ship_id, s.ship_time
FROM orders o LEFT JOIN shipments s ON o.order_id = s.order_id
  AND o.order_time >= s.ship_time - INTERVAL '4' HOUR AND o.order_time < s.ship_time;

-- case: right and full interval joins with a residual condition
INSERT INTO shipped SELECT o.order_id, CAST(o.order_time AS TIMESTAMP(3)), s.ship_id, s.ship_time
FROM orders o RIGHT JOIN shipments s ON o.order_id = s.order_id AND s.ship_id > 10
  AND s.ship_time BETWEEN o.order_time AND o.order_time + INTERVAL '1' DAY;
INSERT INTO shipped SELECT o.order_id, CAST(o.order_time AS TIMESTAMP(3)), s.ship_id, s.ship_time
FROM orders o FULL JOIN shipments s ON o.order_id = s.order_id
  AND s.ship_time BETWEEN o.order_time AND o.order_time + INTERVAL '1' DAY;

-- case: processing-time interval join
INSERT INTO shipped SELECT o.order_id, CAST(o.order_time AS TIMESTAMP(3)), s.ship_id, s.ship_time
FROM orders o JOIN shipments s ON o.order_id = s.order_id
  AND s.proc BETWEEN o.proc - INTERVAL '10' SECOND AND o.proc;

-- case: a sink takes one rowtime attribute at most (Flink's CommonExecSink), so the other is CAST above
INSERT INTO shipped SELECT o.order_id, o.order_time, s.ship_id, s.ship_time
FROM orders o JOIN shipments s ON o.order_id = s.order_id
  AND s.ship_time BETWEEN o.order_time AND o.order_time + INTERVAL '1' HOUR;

-- case: the output keeps both rowtime attributes, so a window can follow
EXPLAIN SELECT window_start, window_end, COUNT(*) FROM TABLE(TUMBLE(TABLE (
  SELECT o.order_id, s.ship_time FROM orders o JOIN shipments s ON o.order_id = s.order_id
    AND s.ship_time BETWEEN o.order_time AND o.order_time + INTERVAL '1' HOUR), DESCRIPTOR(ship_time), INTERVAL '1' HOUR))
GROUP BY window_start, window_end;

-- case: one bound only is a regular join
EXPLAIN SELECT o.order_id, s.ship_id FROM orders o JOIN shipments s ON o.order_id = s.order_id
  AND s.ship_time >= o.order_time;

-- case: an updating input is refused
EXPLAIN SELECT o.order_id, s.ship_id FROM order_changes o JOIN shipments s ON o.order_id = s.order_id
  AND s.ship_time BETWEEN o.order_time AND o.order_time + INTERVAL '1' HOUR;

-- case: rowtime against proctime is refused (the rowtime is cast to compare)
EXPLAIN SELECT o.order_id, s.ship_id FROM orders o JOIN shipments s ON o.order_id = s.order_id
  AND s.proc BETWEEN o.order_time AND o.order_time + INTERVAL '1' HOUR;

-- case: event-time temporal join of an upsert-kafka versioned table
INSERT INTO converted SELECT o.order_id, o.amount * r.rate, o.order_time
FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency;

-- case: left temporal join with a residual condition
EXPLAIN SELECT o.order_id, r.rate, r.update_time
FROM orders AS o LEFT JOIN rates FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency AND r.rate > 0;

-- case: temporal join of a postgres-cdc versioned table
EXPLAIN SELECT o.order_id, r.rate FROM orders AS o JOIN rates_cdc FOR SYSTEM_TIME AS OF o.order_time AS r
  ON r.currency = o.currency;

-- case: a versioned table needs a primary key
EXPLAIN SELECT o.order_id, r.rate FROM orders AS o JOIN rates_no_key FOR SYSTEM_TIME AS OF o.order_time AS r
  ON o.currency = r.currency;

-- case: a versioned table needs a rowtime attribute
EXPLAIN SELECT o.order_id, r.rate FROM orders AS o JOIN rates_no_time FOR SYSTEM_TIME AS OF o.order_time AS r
  ON o.currency = r.currency;

-- case: the condition must cover the primary key
EXPLAIN SELECT o.order_id, r.rate FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.order_time AS r
  ON o.amount = r.rate;

-- case: processing time against a table without lookup source
EXPLAIN SELECT o.order_id, r.rate FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.proc AS r
  ON o.currency = r.currency;

-- case: a temporal join is INNER or LEFT
EXPLAIN SELECT o.order_id, r.rate FROM orders AS o FULL JOIN rates FOR SYSTEM_TIME AS OF o.order_time AS r
  ON o.currency = r.currency;

-- case: a versioned view (a ROW_NUMBER deduplication by rowtime) as the versioned side
INSERT INTO converted SELECT o.order_id, o.amount * r.rate, o.order_time
FROM orders o LEFT JOIN versioned_rates FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency;

-- case: a view without a unique key is no versioned table
CREATE VIEW all_rates AS SELECT currency, rate, update_time FROM rates_no_key;
INSERT INTO converted SELECT o.order_id, o.amount * r.rate, o.order_time
FROM orders o JOIN all_rates FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency;

-- case: a versioned view without its rowtime attribute
CREATE VIEW rates_without_time AS SELECT currency, rate FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY currency ORDER BY update_time DESC) AS rn FROM rates_no_key) WHERE rn = 1;
INSERT INTO converted SELECT o.order_id, o.amount * r.rate, o.order_time
FROM orders o JOIN rates_without_time FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency;

-- case: a view joined as of processing time cannot be looked up
INSERT INTO converted SELECT o.order_id, o.amount * r.rate, o.order_time
FROM orders o JOIN versioned_rates FOR SYSTEM_TIME AS OF o.proc AS r ON o.currency = r.currency;

-- case: a versioned view joined on another column than its key
INSERT INTO converted SELECT o.order_id, o.amount * r.rate, o.order_time
FROM orders o JOIN versioned_rates FOR SYSTEM_TIME AS OF o.order_time AS r ON o.amount = r.rate;

-- case: a LOOKUP hint on the versioned view of an event-time temporal join is refused, as on a versioned table
INSERT INTO converted SELECT /*+ LOOKUP('table'='r', 'retry-predicate'='lookup_miss', 'retry-strategy'='fixed_delay', 'fixed-delay'='10ms', 'max-attempts'='3') */
  o.order_id, o.amount * r.rate, o.order_time
FROM orders o JOIN versioned_rates FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency;
