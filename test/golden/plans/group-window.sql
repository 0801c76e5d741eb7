-- Legacy group windows (GROUP BY TUMBLE/HOP/SESSION with their auxiliary functions) and SESSION
-- window table functions. Regression pins of the plans; the semantics are checked by the operator
-- fixtures (test/exec/fixtures/group-window-*.txt, session-*.txt) and test/runtime/window.test.ts.
CREATE TABLE bids (bidder STRING, price DECIMAL(10, 2), ts TIMESTAMP(3), proc AS PROCTIME(),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'bids', 'format' = 'json');
CREATE TABLE changes (id BIGINT, bidder STRING, ts TIMESTAMP(3), PRIMARY KEY (id) NOT ENFORCED,
  WATERMARK FOR ts AS ts)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'changes', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE plain (bidder STRING, ts TIMESTAMP(3)) WITH ('connector' = 'kafka', 'topic' = 'plain', 'format' = 'json');
CREATE TABLE out_windows (bidder STRING, window_start TIMESTAMP(3), window_end TIMESTAMP(3), bids BIGINT, total DECIMAL(38, 2))
  WITH ('connector' = 'kafka', 'topic' = 'w', 'format' = 'json');

-- case: GROUP BY TUMBLE with its start, end and rowtime
INSERT INTO out_windows
SELECT bidder, TUMBLE_START(ts, INTERVAL '1' MINUTE), TUMBLE_END(ts, INTERVAL '1' MINUTE), COUNT(*), SUM(price)
FROM bids GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE), bidder HAVING TUMBLE_ROWTIME(ts, INTERVAL '1' MINUTE) IS NOT NULL;

-- case: GROUP BY HOP without other keys
INSERT INTO out_windows
SELECT 'all', HOP_START(ts, INTERVAL '30' SECOND, INTERVAL '2' MINUTE), HOP_END(ts, INTERVAL '30' SECOND, INTERVAL '2' MINUTE), COUNT(*), SUM(price)
FROM bids GROUP BY HOP(ts, INTERVAL '30' SECOND, INTERVAL '2' MINUTE);

-- case: GROUP BY SESSION on processing time
INSERT INTO out_windows
SELECT bidder, SESSION_START(proc, INTERVAL '5' MINUTE), SESSION_END(proc, INTERVAL '5' MINUTE), COUNT(*), SUM(price)
FROM bids GROUP BY bidder, SESSION(proc, INTERVAL '5' MINUTE);

-- case: a window property without the window in GROUP BY
INSERT INTO out_windows
SELECT bidder, TUMBLE_START(ts, INTERVAL '2' MINUTE), TUMBLE_END(ts, INTERVAL '1' MINUTE), COUNT(*), SUM(price)
FROM bids GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE), bidder;

-- case: the rowtime of a processing-time window
INSERT INTO out_windows
SELECT bidder, TUMBLE_ROWTIME(proc, INTERVAL '1' MINUTE), TUMBLE_END(proc, INTERVAL '1' MINUTE), COUNT(*), SUM(price)
FROM bids GROUP BY TUMBLE(proc, INTERVAL '1' MINUTE), bidder;

-- case: a group window on a column that is not a time attribute
INSERT INTO out_windows
SELECT bidder, TUMBLE_START(ts, INTERVAL '1' MINUTE), TUMBLE_END(ts, INTERVAL '1' MINUTE), COUNT(*), 0
FROM plain GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE), bidder;

-- case: a group window over a changelog
INSERT INTO out_windows
SELECT bidder, TUMBLE_START(ts, INTERVAL '1' MINUTE), TUMBLE_END(ts, INTERVAL '1' MINUTE), COUNT(*), 0
FROM changes GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE), bidder;

-- case: SESSION window TVF partitioned by the bidder, with a window aggregate
INSERT INTO out_windows
SELECT bidder, window_start, window_end, COUNT(*), SUM(price)
FROM TABLE(SESSION(TABLE bids PARTITION BY bidder, DESCRIPTOR(ts), INTERVAL '5' MINUTES))
GROUP BY bidder, window_start, window_end;

-- case: SESSION window TVF with named arguments and a filter
INSERT INTO out_windows
SELECT bidder, window_start, window_end, COUNT(*), SUM(price)
FROM TABLE(SESSION(DATA => TABLE bids PARTITION BY bidder, TIMECOL => DESCRIPTOR(ts), GAP => INTERVAL '5' MINUTES))
WHERE price > 10
GROUP BY bidder, window_start, window_end;

-- case: SESSION window TVF without an aggregate
CREATE TABLE out_rows (bidder STRING, window_start TIMESTAMP(3), window_end TIMESTAMP(3))
  WITH ('connector' = 'kafka', 'topic' = 'r', 'format' = 'json');
INSERT INTO out_rows SELECT bidder, window_start, window_end
FROM TABLE(SESSION(TABLE bids PARTITION BY bidder, DESCRIPTOR(ts), INTERVAL '5' MINUTES));

-- case: SESSION partitioned by a column the aggregate does not group by
INSERT INTO out_windows
SELECT 'all', window_start, window_end, COUNT(*), SUM(price)
FROM TABLE(SESSION(TABLE bids PARTITION BY bidder, DESCRIPTOR(ts), INTERVAL '5' MINUTES))
GROUP BY window_start, window_end;

-- case: SESSION window TVF partitioned by two columns
INSERT INTO out_windows
SELECT bidder, window_start, window_end, COUNT(*), SUM(price)
FROM TABLE(SESSION(TABLE bids PARTITION BY (bidder, price), DESCRIPTOR(ts), INTERVAL '5' MINUTES))
GROUP BY bidder, price, window_start, window_end;

-- case: grouping sets of a legacy group window are refused (Flink 1.18 has them for window TVFs)
EXPLAIN SELECT bidder, COUNT(*) AS n FROM bids GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE), ROLLUP (bidder);
