-- The LOOKUP query hint of lookup joins (Flink 1.18): retry on a miss with a fixed delay; the async
-- options are checked and, as with Flink's jdbc connector (synchronous lookups only), take no effect.
CREATE TABLE orders (order_id BIGINT, customer_id BIGINT, proc_time AS PROCTIME())
  WITH ('connector' = 'kafka', 'topic' = 'orders', 'format' = 'json');
CREATE TABLE customers (id BIGINT, name STRING, PRIMARY KEY (id) NOT ENFORCED)
  WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://localhost:5433/dim', 'table-name' = 'customers');
CREATE TABLE enriched (order_id BIGINT, name STRING) WITH ('connector' = 'kafka', 'topic' = 'e', 'format' = 'json');

-- case: retry a lookup that finds no row, by the alias of the lookup table
INSERT INTO enriched SELECT /*+ LOOKUP('table'='c', 'retry-predicate'='lookup_miss', 'retry-strategy'='fixed_delay', 'fixed-delay'='10ms', 'max-attempts'='3') */
  o.order_id, c.name FROM orders AS o JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.customer_id = c.id;

-- case: by the name of a table without an alias, with STATE_TTL in the same hint comment and the async options
INSERT INTO enriched SELECT /*+ LOOKUP('table'='customers', 'async'='true', 'output-mode'='allow_unordered', 'capacity'='100', 'timeout'='180s'), STATE_TTL('p' = '1d') */
  o.order_id, customers.name FROM orders AS o LEFT JOIN customers FOR SYSTEM_TIME AS OF o.proc_time ON o.customer_id = customers.id
  JOIN orders AS p ON p.order_id = o.order_id;

-- case: by the name of a table the join gives an alias (Flink 1.18.1 refuses it too, test/plan/flink-lookup-hints.txt)
INSERT INTO enriched SELECT /*+ LOOKUP('table'='customers', 'async'='true') */
  o.order_id, c.name FROM orders AS o LEFT JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.customer_id = c.id;

-- case: the retry options go together
INSERT INTO enriched SELECT /*+ LOOKUP('table'='c', 'retry-predicate'='lookup_miss', 'max-attempts'='3') */
  o.order_id, c.name FROM orders AS o JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.customer_id = c.id;

-- case: a retry predicate Flink does not have
INSERT INTO enriched SELECT /*+ LOOKUP('table'='c', 'retry-predicate'='lookup_error', 'retry-strategy'='fixed_delay', 'fixed-delay'='10ms', 'max-attempts'='3') */
  o.order_id, c.name FROM orders AS o JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.customer_id = c.id;

-- case: an option LOOKUP does not have
INSERT INTO enriched SELECT /*+ LOOKUP('table'='c', 'retries'='3') */
  o.order_id, c.name FROM orders AS o JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.customer_id = c.id;

-- case: a hint that names no lookup join of its SELECT
INSERT INTO enriched SELECT /*+ LOOKUP('table'='users') */
  o.order_id, c.name FROM orders AS o JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.customer_id = c.id;

-- case: a hint without its table
INSERT INTO enriched SELECT /*+ LOOKUP('async'='true') */
  o.order_id, c.name FROM orders AS o JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.customer_id = c.id;

-- case: the hint of the outer SELECT does not reach the lookup join of a subquery
INSERT INTO enriched SELECT /*+ LOOKUP('table'='c') */ order_id, name FROM (
  SELECT o.order_id, c.name FROM orders AS o JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.customer_id = c.id);
