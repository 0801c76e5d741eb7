-- Window TVF offsets (Flink 1.18: TUMBLE/HOP/CUMULATE(..., offset)); a regression pin written by Rivulet
-- and checked by hand against Flink's window specs (", offset=[...]" after the size).
CREATE TABLE bid (bidtime TIMESTAMP(3), price DECIMAL(10, 2), item STRING,
  WATERMARK FOR bidtime AS bidtime - INTERVAL '1' SECOND) WITH ('connector' = 'kafka', 'topic' = 'bid', 'format' = 'json');
CREATE TABLE out_bid (ws TIMESTAMP(3), we TIMESTAMP(3), price DECIMAL(38, 2)) WITH ('connector' = 'kafka', 'topic' = 'ob', 'format' = 'json');

-- case: TUMBLE with a negative offset, by named arguments
INSERT INTO out_bid SELECT window_start, window_end, SUM(price)
FROM TABLE(TUMBLE(DATA => TABLE bid, TIMECOL => DESCRIPTOR(bidtime), SIZE => INTERVAL '10' MINUTES, OFFSET => INTERVAL '-16' MINUTES))
GROUP BY window_start, window_end;

-- case: HOP with an offset
INSERT INTO out_bid SELECT window_start, window_end, SUM(price)
FROM TABLE(HOP(TABLE bid, DESCRIPTOR(bidtime), INTERVAL '5' MINUTES, INTERVAL '10' MINUTES, INTERVAL '1' MINUTE))
GROUP BY window_start, window_end;

-- case: CUMULATE with an offset, under a window Top-N
INSERT INTO out_bid SELECT window_start, window_end, price FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY price DESC) AS rn
  FROM TABLE(CUMULATE(TABLE bid, DESCRIPTOR(bidtime), INTERVAL '2' MINUTES, INTERVAL '10' MINUTES, INTERVAL '1' MINUTE))
) WHERE rn <= 1;

-- case: SESSION takes no offset
INSERT INTO out_bid SELECT window_start, window_end, SUM(price)
FROM TABLE(SESSION(TABLE bid, DESCRIPTOR(bidtime), INTERVAL '5' MINUTES, INTERVAL '1' MINUTE))
GROUP BY window_start, window_end;

-- case: the offset must be an INTERVAL
INSERT INTO out_bid SELECT window_start, window_end, SUM(price)
FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(bidtime), INTERVAL '10' MINUTES, 5))
GROUP BY window_start, window_end;
