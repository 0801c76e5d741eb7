-- Applied to source_db after examples/ecommerce/databases/source_db.sql.
-- The tables of the second pipeline (sales.sql). (Every version an order has had, the oracle of the
-- sink tables that keep history, is in the example's business.order_versions.)

CREATE TABLE business.products (
    product_id BIGINT PRIMARY KEY,
    name       VARCHAR(100)   NOT NULL,
    category   VARCHAR(50)    NOT NULL,
    price      DECIMAL(10, 2) NOT NULL
);

CREATE TABLE business.order_items (
    item_id    BIGINT PRIMARY KEY,
    order_id   BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    quantity   INT    NOT NULL
);

-- The order and the item the chaos runner updates to see when the pipelines flow again (user 1
-- never exists; the workload touches neither).
INSERT INTO business.orders (order_id, user_id, product_name, product_category, quantity, unit_price, total_amount, order_status)
VALUES (1, 1, 'probe', '图书', 1, 1.00, 1.00, 'PENDING');

-- The user the last probe changes, dated ahead, so that the users' watermark closes the temporal
-- join of 6_shop_analytics.sql over the whole workload (no order names user 2).
INSERT INTO business.users (user_id, username, email, city, register_time, updated_at)
VALUES (2, 'probe', 'probe@example.com', '北京', '2025-07-01', '2025-07-01');

INSERT INTO business.products (product_id, name, category, price)
SELECT n, 'product ' || n, (ARRAY['电子产品', '服装鞋帽', '图书', '家居用品', '食品饮料', '宠物用品'])[1 + n % 6], 10 + (n * 37) % 990
FROM generate_series(1, 30) AS n;

INSERT INTO business.order_items (item_id, order_id, product_id, quantity) VALUES (0, 1, 1, 1000);
