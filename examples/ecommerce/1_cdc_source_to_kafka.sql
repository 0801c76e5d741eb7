-- 第一阶段：CDC 数据捕获 (ODS)
-- Captures business.orders and business.users from source_db with logical replication and writes
-- every change to the upsert topics ods_orders and ods_users, keyed by primary key.
-- Two INSERTs: two jobs, one replication slot each.

SET 'parallelism.default' = '1';
SET 'execution.checkpointing.interval' = '10s';

CREATE TABLE orders_source (
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
    'connector' = 'postgres-cdc',
    'hostname' = '${SOURCE_HOST:-localhost}',
    'port' = '${SOURCE_PORT:-5433}',
    'username' = '${SOURCE_USER:-postgres}',
    'password' = '${SOURCE_PASSWORD:-postgres}',
    'database-name' = 'source_db',
    'schema-name' = 'business',
    'table-name' = 'orders',
    'slot.name' = 'flink_slot_orders',
    'decoding.plugin.name' = 'pgoutput'
);

CREATE TABLE users_source (
    user_id       BIGINT,
    username      STRING,
    email         STRING,
    phone         STRING,
    city          STRING,
    register_time TIMESTAMP(3),
    updated_at    TIMESTAMP(3),
    PRIMARY KEY (user_id) NOT ENFORCED
) WITH (
    'connector' = 'postgres-cdc',
    'hostname' = '${SOURCE_HOST:-localhost}',
    'port' = '${SOURCE_PORT:-5433}',
    'username' = '${SOURCE_USER:-postgres}',
    'password' = '${SOURCE_PASSWORD:-postgres}',
    'database-name' = 'source_db',
    'schema-name' = 'business',
    'table-name' = 'users',
    'slot.name' = 'flink_slot_users',
    'decoding.plugin.name' = 'pgoutput'
);

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

INSERT INTO ods_orders SELECT * FROM orders_source;

INSERT INTO ods_users SELECT * FROM users_source;
