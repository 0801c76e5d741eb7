-- 第二阶段：DWD 数据清洗
-- Reads ods_orders (updates and deletes included), standardises category and status, formats the
-- amount and the order time, and writes dwd_orders keyed by order_id.

SET 'parallelism.default' = '1';
SET 'execution.checkpointing.interval' = '10s';

CREATE TABLE ods_orders (
    order_id         BIGINT,
    user_id          BIGINT,
    product_name     STRING,
    product_category STRING,
    quantity         INT,
    unit_price       DECIMAL(10, 2),
    total_amount     DECIMAL(10, 2),
    order_status     STRING,
    order_time       TIMESTAMP(3),
    updated_at       TIMESTAMP(3),
    PRIMARY KEY (order_id) NOT ENFORCED
) WITH (
    'connector' = 'upsert-kafka',
    'topic' = 'ods_orders',
    'properties.bootstrap.servers' = '${KAFKA_SERVERS:-localhost:9092}',
    'key.format' = 'json',
    'value.format' = 'json'
);

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

INSERT INTO dwd_orders
SELECT
    order_id,
    user_id,
    TRIM(product_name) AS product_name,
    product_category,
    CASE product_category
        WHEN '电子产品' THEN 'ELECTRONICS'
        WHEN '服装鞋帽' THEN 'CLOTHING'
        WHEN '图书' THEN 'BOOKS'
        WHEN '家居用品' THEN 'HOME'
        WHEN '食品饮料' THEN 'FOOD'
        ELSE 'OTHER'
    END AS product_category_normalized,
    quantity,
    unit_price,
    total_amount,
    CONCAT('¥', CAST(total_amount AS STRING)) AS total_amount_yuan,
    UPPER(order_status) AS order_status,
    CASE UPPER(order_status)
        WHEN 'PENDING' THEN '待处理'
        WHEN 'SHIPPED' THEN '已发货'
        WHEN 'COMPLETED' THEN '已完成'
        WHEN 'CANCELLED' THEN '已取消'
        ELSE '未知状态'
    END AS order_status_desc,
    order_time,
    DATE_FORMAT(order_time, 'yyyy-MM-dd') AS order_date,
    CAST(HOUR(order_time) AS INT) AS order_hour,
    updated_at,
    CAST(CURRENT_TIMESTAMP AS TIMESTAMP(3)) AS etl_time
FROM ods_orders
WHERE order_id IS NOT NULL
  AND quantity > 0
  AND total_amount >= 0;
