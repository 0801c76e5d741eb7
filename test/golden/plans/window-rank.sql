-- Window Top-N and window deduplication (Flink's WindowRank and WindowDeduplicate). Regression
-- pins of the plans; the semantics are checked by the operator fixtures
-- (test/exec/fixtures/window-rank-*.txt, window-deduplicate-*.txt) and test/runtime/window.test.ts.
CREATE TABLE bids (bidder STRING, item STRING, price DECIMAL(10, 2), ts TIMESTAMP(3), proc AS PROCTIME(),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'bids', 'format' = 'json');
CREATE TABLE top_bids (window_start TIMESTAMP(3), window_end TIMESTAMP(3), bidder STRING, item STRING, price DECIMAL(10, 2), rn BIGINT)
  WITH ('connector' = 'kafka', 'topic' = 'top', 'format' = 'json');
CREATE TABLE top_bidders (window_start TIMESTAMP(3), window_end TIMESTAMP(3), bidder STRING, total DECIMAL(38, 2), rn BIGINT)
  WITH ('connector' = 'kafka', 'topic' = 'top_bidders', 'format' = 'json');
CREATE TABLE last_bids (window_start TIMESTAMP(3), window_end TIMESTAMP(3), bidder STRING, item STRING, price DECIMAL(10, 2))
  WITH ('connector' = 'kafka', 'topic' = 'last', 'format' = 'json');

-- case: window Top-N over a window TVF, with the rank number
INSERT INTO top_bids
SELECT window_start, window_end, bidder, item, price, rn FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY price DESC) AS rn
  FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
) WHERE rn <= 3;

-- case: window Top-N over a window aggregate
INSERT INTO top_bidders
SELECT window_start, window_end, bidder, total, rn FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY total DESC) AS rn
  FROM (
    SELECT window_start, window_end, bidder, SUM(price) AS total
    FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '5' MINUTES, INTERVAL '10' MINUTES))
    GROUP BY window_start, window_end, bidder)
) WHERE rn <= 2;

-- case: window Top-N per bidder without the rank number
INSERT INTO last_bids
SELECT window_start, window_end, bidder, item, price FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, bidder ORDER BY price ASC) AS rn
  FROM TABLE(CUMULATE(TABLE bids, DESCRIPTOR(ts), INTERVAL '2' MINUTES, INTERVAL '10' MINUTES))
) WHERE rn <= 2;

-- case: window deduplication keeping the last row
INSERT INTO last_bids
SELECT window_start, window_end, bidder, item, price FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, bidder ORDER BY ts DESC) AS rn
  FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
) WHERE rn = 1;

-- case: window deduplication keeping the first row
INSERT INTO last_bids
SELECT window_start, window_end, bidder, item, price FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, bidder ORDER BY ts) AS rn
  FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
) WHERE rn <= 1;

-- case: window Top-N over a processing-time window aggregate
INSERT INTO top_bidders
SELECT window_start, window_end, bidder, total, rn FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY total DESC) AS rn
  FROM (
    SELECT window_start, window_end, bidder, SUM(price) AS total
    FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(proc), INTERVAL '1' MINUTE))
    GROUP BY window_start, window_end, bidder)
) WHERE rn <= 2;

-- case: partitioned by window_start alone: a regular Top-N
CREATE TABLE top_upsert (window_start TIMESTAMP(3), bidder STRING, price DECIMAL(10, 2), rn BIGINT, PRIMARY KEY (window_start, rn) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'u', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO top_upsert
SELECT window_start, bidder, price, rn FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start ORDER BY price DESC) AS rn
  FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
) WHERE rn <= 3;

-- case: window Top-N over SESSION windows
INSERT INTO top_bidders
SELECT window_start, window_end, bidder, total, rn FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY total DESC) AS rn
  FROM (
    SELECT window_start, window_end, bidder, SUM(price) AS total
    FROM TABLE(SESSION(TABLE bids PARTITION BY bidder, DESCRIPTOR(ts), INTERVAL '5' MINUTES))
    GROUP BY window_start, window_end, bidder)
) WHERE rn <= 2;
