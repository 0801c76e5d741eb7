-- Window joins (Flink's WindowJoin). The .plan file is a regression pin written by our planner
-- (UPDATE_GOLDEN=1) and reviewed by hand against Flink's WindowJoin explain format; it is not Flink's output.
CREATE TABLE orders (order_id BIGINT, user_id BIGINT, amount DECIMAL(10, 2), order_time TIMESTAMP(3),
  proc AS PROCTIME(), WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'orders', 'format' = 'json');
CREATE TABLE payments (order_id BIGINT, paid DECIMAL(10, 2), pay_time TIMESTAMP(3),
  proc AS PROCTIME(), WATERMARK FOR pay_time AS pay_time - INTERVAL '5' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'payments', 'format' = 'json');
CREATE TABLE matched (order_id BIGINT, amount DECIMAL(10, 2), paid DECIMAL(10, 2),
  window_start TIMESTAMP(3), window_end TIMESTAMP(3))
  WITH ('connector' = 'kafka', 'topic' = 'matched', 'format' = 'json');
CREATE TABLE per_user (user_id BIGINT, orders BIGINT, payments BIGINT, window_end TIMESTAMP(3))
  WITH ('connector' = 'kafka', 'topic' = 'per_user', 'format' = 'json');

-- case: inner window join of two HOP window TVFs with a residual condition
INSERT INTO matched SELECT o.order_id, o.amount, p.paid, o.window_start, o.window_end
FROM TABLE(HOP(TABLE orders, DESCRIPTOR(order_time), INTERVAL '5' MINUTES, INTERVAL '10' MINUTES)) o
JOIN TABLE(HOP(TABLE payments, DESCRIPTOR(pay_time), INTERVAL '5' MINUTES, INTERVAL '10' MINUTES)) p
ON o.order_id = p.order_id AND o.window_start = p.window_start AND o.window_end = p.window_end AND p.paid < o.amount;

-- case: left window join of two CUMULATE window TVFs
INSERT INTO matched SELECT o.order_id, o.amount, p.paid, o.window_start, o.window_end
FROM TABLE(CUMULATE(TABLE orders, DESCRIPTOR(order_time), INTERVAL '1' MINUTES, INTERVAL '10' MINUTES)) o
LEFT JOIN TABLE(CUMULATE(TABLE payments, DESCRIPTOR(pay_time), INTERVAL '1' MINUTES, INTERVAL '10' MINUTES)) p
ON o.order_id = p.order_id AND o.window_start = p.window_start AND o.window_end = p.window_end;

-- case: window join of two window aggregates
INSERT INTO per_user SELECT o.user_id, o.cnt, p.cnt, o.window_end
FROM (SELECT user_id, window_start, window_end, COUNT(*) AS cnt
  FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(order_time), INTERVAL '1' MINUTES))
  GROUP BY user_id, window_start, window_end) o
JOIN (SELECT order_id AS user_id, window_start, window_end, COUNT(*) AS cnt
  FROM TABLE(TUMBLE(TABLE payments, DESCRIPTOR(pay_time), INTERVAL '1' MINUTES))
  GROUP BY order_id, window_start, window_end) p
ON o.user_id = p.user_id AND o.window_start = p.window_start AND o.window_end = p.window_end;

-- case: different windows on the two sides are a regular join, as in Flink
INSERT INTO matched SELECT o.order_id, o.amount, p.paid, o.window_start, o.window_end
FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(order_time), INTERVAL '5' MINUTES)) o
JOIN TABLE(TUMBLE(TABLE payments, DESCRIPTOR(pay_time), INTERVAL '10' MINUTES)) p
ON o.order_id = p.order_id AND o.window_start = p.window_start AND o.window_end = p.window_end;

-- case: processing-time windows are refused, as in Flink 1.18
INSERT INTO matched SELECT o.order_id, o.amount, p.paid, o.window_start, o.window_end
FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(proc), INTERVAL '5' MINUTES)) o
JOIN TABLE(TUMBLE(TABLE payments, DESCRIPTOR(proc), INTERVAL '5' MINUTES)) p
ON o.order_id = p.order_id AND o.window_start = p.window_start AND o.window_end = p.window_end;

-- case: SESSION windows are refused, as in Flink 1.18
INSERT INTO matched SELECT o.order_id, o.amount, p.paid, o.window_start, o.window_end
FROM TABLE(SESSION(TABLE orders, DESCRIPTOR(order_time), INTERVAL '5' MINUTES)) o
JOIN TABLE(SESSION(TABLE payments, DESCRIPTOR(pay_time), INTERVAL '5' MINUTES)) p
ON o.order_id = p.order_id AND o.window_start = p.window_start AND o.window_end = p.window_end;
