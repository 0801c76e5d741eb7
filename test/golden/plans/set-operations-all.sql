-- INTERSECT ALL and EXCEPT ALL: Flink 1.18's RewriteIntersectAllRule / RewriteMinusAllRule (marked
-- union, GroupAggregate counting each side, Correlate $REPLICATE_ROWS$1). A regression pin written by
-- Rivulet and checked by hand against the rewrite those rules document, not Flink's own output.
CREATE TABLE orders (order_id BIGINT, user_id BIGINT, amount DECIMAL(10, 2), status STRING, PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'orders', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE clicks (user_id BIGINT, url STRING) WITH ('connector' = 'kafka', 'topic' = 'clicks', 'format' = 'json');
CREATE TABLE views (user_id INT, url STRING) WITH ('connector' = 'kafka', 'topic' = 'views', 'format' = 'json');
CREATE TABLE out_counts (user_id BIGINT, url STRING, n BIGINT, PRIMARY KEY (user_id, url) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'oc', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE out_clicks (user_id BIGINT, url STRING) WITH ('connector' = 'kafka', 'topic' = 'ocl', 'format' = 'json');

-- case: INTERSECT ALL of two append streams counts each side and replicates min(left, right) times
EXPLAIN SELECT user_id, url FROM clicks INTERSECT ALL SELECT user_id, url FROM views;

-- case: EXCEPT ALL sums +1 / -1 markers and replicates the positive sums
EXPLAIN SELECT user_id, url FROM clicks EXCEPT ALL SELECT user_id, url FROM views;

-- case: the result is updating, so an append-only sink refuses it
INSERT INTO out_clicks SELECT user_id, url FROM clicks EXCEPT ALL SELECT user_id, url FROM views;

-- case: counting the rows of INTERSECT ALL over an updating input into an upsert sink
INSERT INTO out_counts
SELECT user_id, status, COUNT(*) FROM (
  SELECT user_id, status FROM orders INTERSECT ALL SELECT user_id, url FROM clicks
) GROUP BY user_id, status;

-- case: INTERSECT ALL needs the same number of columns on both sides
EXPLAIN SELECT user_id FROM clicks INTERSECT ALL SELECT user_id, url FROM views;
