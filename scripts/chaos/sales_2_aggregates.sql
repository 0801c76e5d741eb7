-- The chaos suite's second pipeline, second part: joins and aggregates under retraction over the
-- topics of sales_1_cdc.sql, into the sink database. Items change quantity, order, product and key;
-- products change price and category; orders change user, key, or go; each change retracts what
-- it contributed before.

SET 'pipeline.name' = 'chaos-sales';

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

CREATE TABLE category_sales (
    category     STRING,
    lines        BIGINT,
    units        INT,
    revenue      DECIMAL(38, 2),
    max_price    DECIMAL(10, 2),
    min_quantity INT,
    PRIMARY KEY (category) NOT ENFORCED
) WITH (
    'connector' = 'jdbc',
    'url' = 'jdbc:postgresql://${SINK_HOST}:${SINK_PORT}/sink_db',
    'table-name' = 'sales.category_sales',
    'username' = 'postgres',
    'password' = '${SINK_PASSWORD}'
);

CREATE TABLE order_lines (
    order_id     BIGINT,
    order_status STRING,
    lines        BIGINT,
    units        INT,
    PRIMARY KEY (order_id) NOT ENFORCED
) WITH (
    'connector' = 'jdbc',
    'url' = 'jdbc:postgresql://${SINK_HOST}:${SINK_PORT}/sink_db',
    'table-name' = 'sales.order_lines',
    'username' = 'postgres',
    'password' = '${SINK_PASSWORD}'
);

CREATE TABLE city_revenue (
    city    STRING,
    buyers  BIGINT,
    revenue DECIMAL(38, 2),
    PRIMARY KEY (city) NOT ENFORCED
) WITH (
    'connector' = 'jdbc',
    'url' = 'jdbc:postgresql://${SINK_HOST}:${SINK_PORT}/sink_db',
    'table-name' = 'sales.city_revenue',
    'username' = 'postgres',
    'password' = '${SINK_PASSWORD}'
);

EXECUTE STATEMENT SET
BEGIN
    INSERT INTO category_sales
    SELECT p.category, COUNT(*), SUM(i.quantity), SUM(i.quantity * p.price), MAX(p.price), MIN(i.quantity)
    FROM sales_items AS i
    JOIN sales_products AS p ON i.product_id = p.product_id
    GROUP BY p.category;

    INSERT INTO order_lines
    SELECT o.order_id, MAX(o.order_status), COUNT(i.item_id), SUM(i.quantity)
    FROM sales_orders AS o
    LEFT JOIN sales_items AS i ON i.order_id = o.order_id
    GROUP BY o.order_id;

    INSERT INTO city_revenue
    SELECT COALESCE(u.city, '未知'), COUNT(DISTINCT o.user_id), SUM(i.quantity * p.price)
    FROM sales_items AS i
    JOIN sales_products AS p ON i.product_id = p.product_id
    JOIN sales_orders AS o ON i.order_id = o.order_id
    LEFT JOIN sales_users AS u ON o.user_id = u.user_id
    GROUP BY COALESCE(u.city, '未知');
END;
