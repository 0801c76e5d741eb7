-- The chaos suite's second pipeline, first part: four tables of source_db captured into upsert
-- topics, one job with one replication slot per table.

SET 'pipeline.name' = 'chaos-sales-cdc';

CREATE TABLE orders_cdc (
    order_id     BIGINT,
    user_id      BIGINT,
    order_status STRING,
    PRIMARY KEY (order_id) NOT ENFORCED
) WITH (
    'connector' = 'postgres-cdc',
    'hostname' = '${SOURCE_HOST}',
    'port' = '${SOURCE_PORT}',
    'username' = 'postgres',
    'password' = '${SOURCE_PASSWORD}',
    'database-name' = 'source_db',
    'schema-name' = 'business',
    'table-name' = 'orders',
    'slot.name' = 'chaos_sales_orders'
);

CREATE TABLE users_cdc (
    user_id BIGINT,
    city    STRING,
    PRIMARY KEY (user_id) NOT ENFORCED
) WITH (
    'connector' = 'postgres-cdc',
    'hostname' = '${SOURCE_HOST}',
    'port' = '${SOURCE_PORT}',
    'username' = 'postgres',
    'password' = '${SOURCE_PASSWORD}',
    'database-name' = 'source_db',
    'schema-name' = 'business',
    'table-name' = 'users',
    'slot.name' = 'chaos_sales_users'
);

CREATE TABLE products_cdc (
    product_id BIGINT,
    name       STRING,
    category   STRING,
    price      DECIMAL(10, 2),
    PRIMARY KEY (product_id) NOT ENFORCED
) WITH (
    'connector' = 'postgres-cdc',
    'hostname' = '${SOURCE_HOST}',
    'port' = '${SOURCE_PORT}',
    'username' = 'postgres',
    'password' = '${SOURCE_PASSWORD}',
    'database-name' = 'source_db',
    'schema-name' = 'business',
    'table-name' = 'products',
    'slot.name' = 'chaos_sales_products'
);

CREATE TABLE items_cdc (
    item_id    BIGINT,
    order_id   BIGINT,
    product_id BIGINT,
    quantity   INT,
    PRIMARY KEY (item_id) NOT ENFORCED
) WITH (
    'connector' = 'postgres-cdc',
    'hostname' = '${SOURCE_HOST}',
    'port' = '${SOURCE_PORT}',
    'username' = 'postgres',
    'password' = '${SOURCE_PASSWORD}',
    'database-name' = 'source_db',
    'schema-name' = 'business',
    'table-name' = 'order_items',
    'slot.name' = 'chaos_sales_items'
);

CREATE TABLE sales_orders (
    order_id BIGINT,
    user_id BIGINT,
    order_status STRING,
    PRIMARY KEY (order_id) NOT ENFORCED
) WITH (
    'connector' = 'upsert-kafka',
    'topic' = 'sales_orders',
    'properties.bootstrap.servers' = '${KAFKA_SERVERS}',
    'key.format' = 'json',
    'value.format' = 'json'
);

CREATE TABLE sales_users (
    user_id BIGINT,
    city STRING,
    PRIMARY KEY (user_id) NOT ENFORCED
) WITH (
    'connector' = 'upsert-kafka',
    'topic' = 'sales_users',
    'properties.bootstrap.servers' = '${KAFKA_SERVERS}',
    'key.format' = 'json',
    'value.format' = 'json'
);

CREATE TABLE sales_products (
    product_id BIGINT,
    name STRING,
    category STRING,
    price DECIMAL(10, 2),
    PRIMARY KEY (product_id) NOT ENFORCED
) WITH (
    'connector' = 'upsert-kafka',
    'topic' = 'sales_products',
    'properties.bootstrap.servers' = '${KAFKA_SERVERS}',
    'key.format' = 'json',
    'value.format' = 'json'
);

CREATE TABLE sales_items (
    item_id BIGINT,
    order_id BIGINT,
    product_id BIGINT,
    quantity INT,
    PRIMARY KEY (item_id) NOT ENFORCED
) WITH (
    'connector' = 'upsert-kafka',
    'topic' = 'sales_items',
    'properties.bootstrap.servers' = '${KAFKA_SERVERS}',
    'key.format' = 'json',
    'value.format' = 'json'
);

EXECUTE STATEMENT SET
BEGIN
    INSERT INTO sales_orders SELECT * FROM orders_cdc;
    INSERT INTO sales_users SELECT * FROM users_cdc;
    INSERT INTO sales_products SELECT * FROM products_cdc;
    INSERT INTO sales_items SELECT * FROM items_cdc;
END;
