-- Window table functions and window aggregates.
CREATE TABLE events (user_id BIGINT, amount DECIMAL(10, 2), ts TIMESTAMP(3), proc AS PROCTIME(),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'events', 'format' = 'json');
CREATE TABLE changes (id BIGINT, amount DECIMAL(10, 2), ts TIMESTAMP(3), PRIMARY KEY (id) NOT ENFORCED,
  WATERMARK FOR ts AS ts)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'changes', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE plain (id BIGINT, ts TIMESTAMP(3)) WITH ('connector' = 'kafka', 'topic' = 'plain', 'format' = 'json');
CREATE TABLE out_windows (window_start TIMESTAMP(3), window_end TIMESTAMP(3), users BIGINT, gmv DECIMAL(38, 2))
  WITH ('connector' = 'kafka', 'topic' = 'w', 'format' = 'json');

-- case: tumbling event-time window
INSERT INTO out_windows SELECT window_start, window_end, COUNT(DISTINCT user_id), SUM(amount)
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;

-- case: hopping window
INSERT INTO out_windows SELECT window_start, window_end, COUNT(*), SUM(amount)
FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '30' SECOND, INTERVAL '2' MINUTE)) GROUP BY window_start, window_end;

-- case: cumulating window with named arguments
INSERT INTO out_windows SELECT window_start, window_end, COUNT(*), SUM(amount)
FROM TABLE(CUMULATE(DATA => TABLE events, TIMECOL => DESCRIPTOR(ts), STEP => INTERVAL '10' SECOND, SIZE => INTERVAL '1' MINUTE))
GROUP BY window_start, window_end;

-- case: processing-time window
INSERT INTO out_windows SELECT window_start, window_end, COUNT(*), SUM(amount)
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(proc), INTERVAL '10' SECOND)) GROUP BY window_start, window_end;

-- case: window time column that is not a time attribute
INSERT INTO out_windows SELECT window_start, window_end, COUNT(*), 0
FROM TABLE(TUMBLE(TABLE plain, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;

-- case: window over a changelog
INSERT INTO out_windows SELECT window_start, window_end, COUNT(*), SUM(amount)
FROM TABLE(TUMBLE(TABLE changes, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;

-- case: CUMULATE size must be a multiple of the step
INSERT INTO out_windows SELECT window_start, window_end, COUNT(*), SUM(amount)
FROM TABLE(CUMULATE(TABLE events, DESCRIPTOR(ts), INTERVAL '7' SECOND, INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;

-- case: window TVF without aggregation assigns windows to rows
CREATE TABLE out_rows (user_id BIGINT, window_start TIMESTAMP(3), window_end TIMESTAMP(3))
  WITH ('connector' = 'kafka', 'topic' = 'r', 'format' = 'json');
INSERT INTO out_rows SELECT user_id, window_start, window_end FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' HOUR));

-- case: grouping by only the window start is a regular aggregate
CREATE TABLE out_upsert (window_start TIMESTAMP(3), n BIGINT, PRIMARY KEY (window_start) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'u', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO out_upsert SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start;

-- case: a hopping window aggregate needs a size that is a whole number of slides
INSERT INTO out_windows SELECT window_start, window_end, COUNT(*), SUM(amount)
FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '4' MINUTE, INTERVAL '10' MINUTE)) GROUP BY window_start, window_end;

-- case: CUBE beside window_start and window_end: an Expand below the window aggregate, GROUPING_ID over $e
EXPLAIN SELECT window_start, window_end, user_id, amount, COUNT(*) AS n, GROUPING_ID(user_id, amount) AS g
FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '30' SECOND, INTERVAL '2' MINUTE))
GROUP BY window_start, window_end, CUBE (user_id, amount);

-- case: a grouping set given twice beside the window: a union of window aggregates, one per GROUP_ID()
EXPLAIN SELECT window_start, window_end, user_id, SUM(amount) AS total, GROUP_ID() AS gid
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, GROUPING SETS ((user_id), (user_id), ());

-- case: grouping sets of a SESSION window aggregate are refused
EXPLAIN SELECT window_start, window_end, user_id, COUNT(*) AS n
FROM TABLE(SESSION(TABLE events PARTITION BY user_id, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, user_id, ROLLUP (amount);

-- case: window_start and window_end in only some grouping sets: a regular aggregate over the Expand (Flink 1.18 EXPLAIN plans GroupAggregate)
EXPLAIN SELECT window_start, window_end, user_id, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY GROUPING SETS ((window_start, window_end, user_id), (user_id));
