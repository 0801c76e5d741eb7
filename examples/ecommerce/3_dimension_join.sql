-- 第三阶段：维度关联
-- Joins each cleansed order with its user (a regular LEFT JOIN on two changelogs: a user who
-- arrives late or changes later updates that user's orders), classifies the city, and writes
-- result_orders_with_user_info keyed by order_id.

SET 'parallelism.default' = '1';
SET 'execution.checkpointing.interval' = '10s';

CREATE TABLE dwd_orders (
    order_id                    BIGINT,
    user_id                     BIGINT,
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
    updated_at                  TIMESTAMP(3),
    etl_time                    TIMESTAMP(3),
    PRIMARY KEY (order_id) NOT ENFORCED
) WITH (
    'connector' = 'upsert-kafka',
    'topic' = 'dwd_orders',
    'properties.bootstrap.servers' = '${KAFKA_SERVERS:-localhost:9092}',
    'key.format' = 'json',
    'value.format' = 'json'
);

CREATE TABLE ods_users (
    user_id       BIGINT,
    username      STRING,
    email         STRING,
    phone         STRING,
    city          STRING,
    register_time TIMESTAMP(3),
    updated_at    TIMESTAMP(3),
    PRIMARY KEY (user_id) NOT ENFORCED
) WITH (
    'connector' = 'upsert-kafka',
    'topic' = 'ods_users',
    'properties.bootstrap.servers' = '${KAFKA_SERVERS:-localhost:9092}',
    'key.format' = 'json',
    'value.format' = 'json'
);

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

INSERT INTO result_orders_with_user_info
SELECT
    o.order_id,
    o.user_id,
    COALESCE(u.username, 'Unknown User') AS username,
    COALESCE(u.email, 'unknown@example.com') AS email,
    u.phone,
    u.city,
    o.product_name,
    o.product_category,
    o.product_category_normalized,
    o.quantity,
    o.unit_price,
    o.total_amount,
    o.total_amount_yuan,
    o.order_status,
    o.order_status_desc,
    o.order_time,
    o.order_date,
    o.order_hour,
    u.register_time AS user_register_time,
    CASE
        WHEN u.city IN ('北京', '上海', '广州', '深圳') THEN '一线城市'
        WHEN u.city IN ('杭州', '南京', '成都', '武汉', '西安', '重庆', '天津', '苏州') THEN '二线城市'
        WHEN u.city IS NULL THEN '未知'
        ELSE '其他城市'
    END AS user_city_tier,
    CAST(CURRENT_TIMESTAMP AS TIMESTAMP(3)) AS join_time,
    o.updated_at
FROM dwd_orders AS o
LEFT JOIN ods_users AS u ON o.user_id = u.user_id;
