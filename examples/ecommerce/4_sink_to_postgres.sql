-- 第四阶段：数据写入目标库
-- Writes the joined result into sink_db: result.orders_with_user_info holds the latest state of
-- each order (upserts and deletes by order_id); result.order_status_history keeps one row per
-- status an order has been in, read from the same topic as an append-only stream of changes.
-- One statement set: one job.

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

-- The same topic as an append-only stream: every new version of an order is one row.
CREATE TABLE result_order_changes (
    order_id          BIGINT,
    user_id           BIGINT,
    username          STRING,
    product_name      STRING,
    total_amount      DECIMAL(10, 2),
    order_status      STRING,
    order_status_desc STRING,
    order_time        TIMESTAMP(3),
    updated_at        TIMESTAMP(3)
) WITH (
    'connector' = 'kafka',
    'topic' = 'result_orders_with_user_info',
    'properties.bootstrap.servers' = '${KAFKA_SERVERS:-localhost:9092}',
    'properties.group.id' = 'order_status_history',
    'scan.startup.mode' = 'earliest-offset',
    'format' = 'json'
);

CREATE TABLE orders_with_user_info_sink (
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
    processed_time              TIMESTAMP(3),
    PRIMARY KEY (order_id) NOT ENFORCED
) WITH (
    'connector' = 'jdbc',
    'url' = 'jdbc:postgresql://${SINK_HOST:-localhost}:${SINK_PORT:-5433}/sink_db',
    'table-name' = 'result.orders_with_user_info',
    'username' = '${SINK_USER:-postgres}',
    'password' = '${SINK_PASSWORD:-postgres}'
);

CREATE TABLE order_status_history_sink (
    order_id          BIGINT,
    order_status      STRING,
    order_status_desc STRING,
    user_id           BIGINT,
    username          STRING,
    product_name      STRING,
    total_amount      DECIMAL(10, 2),
    order_time        TIMESTAMP(3),
    updated_at        TIMESTAMP(3),
    processed_time    TIMESTAMP(3),
    PRIMARY KEY (order_id, order_status) NOT ENFORCED
) WITH (
    'connector' = 'jdbc',
    'url' = 'jdbc:postgresql://${SINK_HOST:-localhost}:${SINK_PORT:-5433}/sink_db',
    'table-name' = 'result.order_status_history',
    'username' = '${SINK_USER:-postgres}',
    'password' = '${SINK_PASSWORD:-postgres}'
);

EXECUTE STATEMENT SET
BEGIN
    INSERT INTO orders_with_user_info_sink
    SELECT
        order_id, user_id, username, email, phone, city, product_name, product_category,
        product_category_normalized, quantity, unit_price, total_amount, total_amount_yuan,
        order_status, order_status_desc, order_time, order_date, order_hour, user_register_time,
        user_city_tier, join_time, updated_at,
        CAST(CURRENT_TIMESTAMP AS TIMESTAMP(3)) AS processed_time
    FROM result_orders_with_user_info;

    INSERT INTO order_status_history_sink
    SELECT
        order_id, order_status, order_status_desc, user_id, username, product_name, total_amount,
        order_time, updated_at,
        CAST(CURRENT_TIMESTAMP AS TIMESTAMP(3)) AS processed_time
    FROM result_order_changes;
END;
