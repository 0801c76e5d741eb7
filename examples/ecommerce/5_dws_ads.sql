-- 第五阶段：DWS / ADS 汇总
-- dws_gmv_per_minute: GMV and order count per minute of order time, by city tier and category.
--   Orders change status and can be deleted, so this is a GROUP BY over the changelog (each
--   change corrects the minute it belongs to) rather than a window over an append-only stream.
-- dws_order_events_per_minute: status changes per minute, with an event-time TUMBLE window over
--   the append-only stream of changes (each change counted once, emitted when the minute closes).
-- ads_user_order_totals: running totals per user.

SET 'parallelism.default' = '1';
SET 'execution.checkpointing.interval' = '10s';

CREATE TABLE result_orders_with_user_info (
    order_id                    BIGINT,
    user_id                     BIGINT,
    username                    STRING,
    email                       STRING,
    phone                       STRING,
    city                        STRING,
    product_name                STRING,
    product_category            STRING,
    product_category_normalized STRING,
    quantity                    INT,
    unit_price                  DECIMAL(10, 2),
    total_amount                DECIMAL(10, 2),
    total_amount_yuan           STRING,
    order_status                STRING,
    order_status_desc           STRING,
    order_time                  TIMESTAMP(3),
    order_date                  STRING,
    order_hour                  INT,
    user_register_time          TIMESTAMP(3),
    user_city_tier              STRING,
    join_time                   TIMESTAMP(3),
    updated_at                  TIMESTAMP(3),
    PRIMARY KEY (order_id) NOT ENFORCED
) WITH (
    'connector' = 'upsert-kafka',
    'topic' = 'result_orders_with_user_info',
    'properties.bootstrap.servers' = '${KAFKA_SERVERS:-localhost:9092}',
    'key.format' = 'json',
    'value.format' = 'json'
);

CREATE TABLE result_order_events (
    order_id     BIGINT,
    order_status STRING,
    updated_at   TIMESTAMP(3),
    WATERMARK FOR updated_at AS updated_at - INTERVAL '5' SECOND
) WITH (
    'connector' = 'kafka',
    'topic' = 'result_orders_with_user_info',
    'properties.bootstrap.servers' = '${KAFKA_SERVERS:-localhost:9092}',
    'properties.group.id' = 'dws_order_events',
    'scan.startup.mode' = 'earliest-offset',
    'format' = 'json'
);

CREATE TABLE dws_gmv_per_minute_sink (
    minute_start                TIMESTAMP(3),
    user_city_tier              STRING,
    product_category_normalized STRING,
    gmv                         DECIMAL(38, 2),
    order_count                 BIGINT,
    PRIMARY KEY (minute_start, user_city_tier, product_category_normalized) NOT ENFORCED
) WITH (
    'connector' = 'jdbc',
    'url' = 'jdbc:postgresql://${SINK_HOST:-localhost}:${SINK_PORT:-5433}/sink_db',
    'table-name' = 'result.dws_gmv_per_minute',
    'username' = '${SINK_USER:-postgres}',
    'password' = '${SINK_PASSWORD:-postgres}'
);

CREATE TABLE dws_order_events_per_minute_sink (
    window_start TIMESTAMP(3),
    window_end   TIMESTAMP(3),
    order_status STRING,
    events       BIGINT,
    orders       BIGINT,
    PRIMARY KEY (window_start, order_status) NOT ENFORCED
) WITH (
    'connector' = 'jdbc',
    'url' = 'jdbc:postgresql://${SINK_HOST:-localhost}:${SINK_PORT:-5433}/sink_db',
    'table-name' = 'result.dws_order_events_per_minute',
    'username' = '${SINK_USER:-postgres}',
    'password' = '${SINK_PASSWORD:-postgres}'
);

CREATE TABLE ads_user_order_totals_sink (
    user_id        BIGINT,
    username       STRING,
    order_count    BIGINT,
    total_amount   DECIMAL(38, 2),
    avg_amount     DECIMAL(38, 6),
    last_order_time TIMESTAMP(3),
    PRIMARY KEY (user_id) NOT ENFORCED
) WITH (
    'connector' = 'jdbc',
    'url' = 'jdbc:postgresql://${SINK_HOST:-localhost}:${SINK_PORT:-5433}/sink_db',
    'table-name' = 'result.ads_user_order_totals',
    'username' = '${SINK_USER:-postgres}',
    'password' = '${SINK_PASSWORD:-postgres}'
);

EXECUTE STATEMENT SET
BEGIN
    INSERT INTO dws_gmv_per_minute_sink
    SELECT
        CAST(TO_TIMESTAMP(DATE_FORMAT(order_time, 'yyyy-MM-dd HH:mm:00')) AS TIMESTAMP(3)) AS minute_start,
        user_city_tier,
        product_category_normalized,
        SUM(total_amount) AS gmv,
        COUNT(*) AS order_count
    FROM result_orders_with_user_info
    GROUP BY DATE_FORMAT(order_time, 'yyyy-MM-dd HH:mm:00'), user_city_tier, product_category_normalized;

    INSERT INTO dws_order_events_per_minute_sink
    SELECT window_start, window_end, order_status, COUNT(*) AS events, COUNT(DISTINCT order_id) AS orders
    FROM TABLE(TUMBLE(TABLE result_order_events, DESCRIPTOR(updated_at), INTERVAL '1' MINUTE))
    GROUP BY window_start, window_end, order_status;

    INSERT INTO ads_user_order_totals_sink
    SELECT
        user_id,
        MAX(username) AS username,
        COUNT(*) AS order_count,
        SUM(total_amount) AS total_amount,
        AVG(total_amount) AS avg_amount,
        MAX(order_time) AS last_order_time
    FROM result_orders_with_user_info
    GROUP BY user_id;
END;
