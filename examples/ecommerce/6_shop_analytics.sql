-- 第六阶段：实时运营分析
-- What a shop asks of its order, payment and user streams, each with one of Flink's streaming shapes:
--   result.order_latest_status          latest status per order: deduplication (keep the last row)
--   result.top_products_per_minute      top 3 products per category per minute: window TVF + ROW_NUMBER
--   result.user_spend_last_hour         each user's spend over the hour before each payment: OVER RANGE
--   result.payments_matched             payments made within 30 minutes of a change of their order: interval join
--   result.order_changes_with_user_city each order change with the user's city as it was then: event-time temporal join
-- Two jobs: business.payments captured into the upsert topic ods_payments, and one statement set.
--
-- Event time: every order change (dwd_orders), payment (ods_payments) and user change (ods_users)
-- carries its time (updated_at, paid_at); each stream's watermark trails the latest time it has
-- seen by 5 s. A window, an OVER row or a temporal join emits once the watermark passes its time,
-- so results wait for a later row of the same stream (of both streams for the temporal join):
-- the seed's rows alone do not close their minute. Any later change does, e.g. `rivulet
-- validate` (a test order, a test user and a test payment), `rivulet stress`, or by hand:
--   INSERT INTO business.payments (payment_id, order_id, user_id, amount, pay_method) VALUES (3101, 2005, 1005, 204.00, '支付宝');
--   UPDATE business.users SET updated_at = now() WHERE user_id = 1005;
-- Deduplication and the interval join emit as rows arrive.

SET 'parallelism.default' = '1';
SET 'execution.checkpointing.interval' = '10s';

CREATE TABLE payments_source (
    payment_id BIGINT,
    order_id   BIGINT,
    user_id    BIGINT,
    amount     DECIMAL(10, 2),
    pay_method STRING,
    paid_at    TIMESTAMP(3),
    PRIMARY KEY (payment_id) NOT ENFORCED
) WITH (
    'connector' = 'postgres-cdc',
    'hostname' = '${SOURCE_HOST:-localhost}',
    'port' = '${SOURCE_PORT:-5433}',
    'username' = '${SOURCE_USER:-postgres}',
    'password' = '${SOURCE_PASSWORD:-postgres}',
    'database-name' = 'source_db',
    'schema-name' = 'business',
    'table-name' = 'payments',
    'slot.name' = 'flink_slot_payments',
    'decoding.plugin.name' = 'pgoutput'
);

CREATE TABLE ods_payments (
    payment_id BIGINT,
    order_id   BIGINT,
    user_id    BIGINT,
    amount     DECIMAL(10, 2),
    pay_method STRING,
    paid_at    TIMESTAMP(3),
    PRIMARY KEY (payment_id) NOT ENFORCED
) WITH (
    'connector' = 'upsert-kafka',
    'topic' = 'ods_payments',
    'properties.bootstrap.servers' = '${KAFKA_SERVERS:-localhost:9092}',
    'key.format' = 'json',
    'value.format' = 'json'
);

-- Every cleansed version of every order, read from the upsert topic as an append-only stream.
CREATE TABLE order_events (
    order_id                    BIGINT,
    user_id                     BIGINT,
    product_name                STRING,
    product_category_normalized STRING,
    total_amount                DECIMAL(10, 2),
    order_status                STRING,
    order_time                  TIMESTAMP(3),
    updated_at                  TIMESTAMP(3),
    WATERMARK FOR updated_at AS updated_at - INTERVAL '5' SECOND
) WITH (
    'connector' = 'kafka',
    'topic' = 'dwd_orders',
    'properties.bootstrap.servers' = '${KAFKA_SERVERS:-localhost:9092}',
    'properties.group.id' = 'shop_order_events',
    'scan.startup.mode' = 'earliest-offset',
    'format' = 'json'
);

CREATE TABLE payment_events (
    payment_id BIGINT,
    order_id   BIGINT,
    user_id    BIGINT,
    amount     DECIMAL(10, 2),
    pay_method STRING,
    paid_at    TIMESTAMP(3),
    WATERMARK FOR paid_at AS paid_at - INTERVAL '5' SECOND
) WITH (
    'connector' = 'kafka',
    'topic' = 'ods_payments',
    'properties.bootstrap.servers' = '${KAFKA_SERVERS:-localhost:9092}',
    'properties.group.id' = 'shop_payment_events',
    'scan.startup.mode' = 'earliest-offset',
    'format' = 'json'
);

-- The users as a versioned table: each user's versions by updated_at.
CREATE TABLE user_versions (
    user_id    BIGINT,
    username   STRING,
    city       STRING,
    updated_at TIMESTAMP(3),
    PRIMARY KEY (user_id) NOT ENFORCED,
    WATERMARK FOR updated_at AS updated_at - INTERVAL '5' SECOND
) WITH (
    'connector' = 'upsert-kafka',
    'topic' = 'ods_users',
    'properties.bootstrap.servers' = '${KAFKA_SERVERS:-localhost:9092}',
    'key.format' = 'json',
    'value.format' = 'json'
);

CREATE TABLE order_latest_status_sink (
    order_id     BIGINT,
    user_id      BIGINT,
    order_status STRING,
    total_amount DECIMAL(10, 2),
    updated_at   TIMESTAMP(3),
    PRIMARY KEY (order_id) NOT ENFORCED
) WITH (
    'connector' = 'jdbc',
    'url' = 'jdbc:postgresql://${SINK_HOST:-localhost}:${SINK_PORT:-5433}/sink_db',
    'table-name' = 'result.order_latest_status',
    'username' = '${SINK_USER:-postgres}',
    'password' = '${SINK_PASSWORD:-postgres}'
);

CREATE TABLE top_products_per_minute_sink (
    window_start                TIMESTAMP(3),
    window_end                  TIMESTAMP(3),
    product_category_normalized STRING,
    ranking                     BIGINT,
    product_name                STRING,
    orders                      BIGINT,
    PRIMARY KEY (window_start, product_category_normalized, ranking) NOT ENFORCED
) WITH (
    'connector' = 'jdbc',
    'url' = 'jdbc:postgresql://${SINK_HOST:-localhost}:${SINK_PORT:-5433}/sink_db',
    'table-name' = 'result.top_products_per_minute',
    'username' = '${SINK_USER:-postgres}',
    'password' = '${SINK_PASSWORD:-postgres}'
);

CREATE TABLE user_spend_last_hour_sink (
    payment_id         BIGINT,
    user_id            BIGINT,
    amount             DECIMAL(10, 2),
    paid_at            TIMESTAMP(3),
    spend_last_hour    DECIMAL(38, 2),
    payments_last_hour BIGINT,
    PRIMARY KEY (payment_id) NOT ENFORCED
) WITH (
    'connector' = 'jdbc',
    'url' = 'jdbc:postgresql://${SINK_HOST:-localhost}:${SINK_PORT:-5433}/sink_db',
    'table-name' = 'result.user_spend_last_hour',
    'username' = '${SINK_USER:-postgres}',
    'password' = '${SINK_PASSWORD:-postgres}'
);

CREATE TABLE payments_matched_sink (
    payment_id       BIGINT,
    order_updated_at TIMESTAMP(3),
    order_id         BIGINT,
    order_status     STRING,
    order_amount     DECIMAL(10, 2),
    amount           DECIMAL(10, 2),
    pay_method       STRING,
    paid_at          TIMESTAMP(3),
    PRIMARY KEY (payment_id, order_updated_at) NOT ENFORCED
) WITH (
    'connector' = 'jdbc',
    'url' = 'jdbc:postgresql://${SINK_HOST:-localhost}:${SINK_PORT:-5433}/sink_db',
    'table-name' = 'result.payments_matched',
    'username' = '${SINK_USER:-postgres}',
    'password' = '${SINK_PASSWORD:-postgres}'
);

CREATE TABLE order_changes_with_user_city_sink (
    order_id     BIGINT,
    updated_at   TIMESTAMP(3),
    user_id      BIGINT,
    order_status STRING,
    total_amount DECIMAL(10, 2),
    username     STRING,
    city         STRING,
    PRIMARY KEY (order_id, updated_at) NOT ENFORCED
) WITH (
    'connector' = 'jdbc',
    'url' = 'jdbc:postgresql://${SINK_HOST:-localhost}:${SINK_PORT:-5433}/sink_db',
    'table-name' = 'result.order_changes_with_user_city',
    'username' = '${SINK_USER:-postgres}',
    'password' = '${SINK_PASSWORD:-postgres}'
);

INSERT INTO ods_payments SELECT * FROM payments_source;

EXECUTE STATEMENT SET
BEGIN
    -- Deduplication: per order, the row with the latest updated_at (on a tie, the one that came last).
    INSERT INTO order_latest_status_sink
    SELECT order_id, user_id, order_status, total_amount, updated_at
    FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY updated_at DESC) AS rn
        FROM order_events
    )
    WHERE rn = 1;

    -- Window Top-N: per minute of order changes and category, the 3 products with the most orders
    -- changed (placed, paid, shipped, …) in that minute; ties by product name.
    INSERT INTO top_products_per_minute_sink
    SELECT window_start, window_end, product_category_normalized, rn, product_name, orders
    FROM (
        SELECT *, ROW_NUMBER() OVER (
                PARTITION BY window_start, window_end, product_category_normalized
                ORDER BY orders DESC, product_name ASC) AS rn
        FROM (
            SELECT window_start, window_end, product_category_normalized, product_name,
                   COUNT(DISTINCT order_id) AS orders
            FROM TABLE(TUMBLE(TABLE order_events, DESCRIPTOR(updated_at), INTERVAL '1' MINUTE))
            GROUP BY window_start, window_end, product_category_normalized, product_name
        )
    )
    WHERE rn <= 3;

    -- OVER: each payment with what its user paid in the hour up to it (that payment included).
    INSERT INTO user_spend_last_hour_sink
    SELECT payment_id, user_id, amount, paid_at,
           SUM(amount) OVER w AS spend_last_hour,
           COUNT(*) OVER w AS payments_last_hour
    FROM payment_events
    WINDOW w AS (PARTITION BY user_id ORDER BY paid_at RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW);

    -- Interval join: each payment with each version of its order written in the 30 minutes before it.
    -- Both time attributes survive the join; a sink takes one (Flink's rule), so the order's is cast.
    INSERT INTO payments_matched_sink
    SELECT p.payment_id, CAST(o.updated_at AS TIMESTAMP(3)), p.order_id, o.order_status, o.total_amount, p.amount, p.pay_method, p.paid_at
    FROM payment_events AS p
    JOIN order_events AS o
      ON p.order_id = o.order_id
     AND p.paid_at BETWEEN o.updated_at AND o.updated_at + INTERVAL '30' MINUTE;

    -- Event-time temporal join: each order change with its user as the user was at that time.
    INSERT INTO order_changes_with_user_city_sink
    SELECT o.order_id, o.updated_at, o.user_id, o.order_status, o.total_amount, u.username, u.city
    FROM order_events AS o
    LEFT JOIN user_versions FOR SYSTEM_TIME AS OF o.updated_at AS u
      ON o.user_id = u.user_id;
END;
