-- Applied to source_db after examples/ecommerce/databases/source_db.sql.
-- The tables of the second pipeline (sales.sql), and every version an order has had: the oracle
-- of the sink tables that keep history (order_status_history, dws_order_events_per_minute).

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

CREATE TABLE business.order_versions (
    version_id   BIGSERIAL PRIMARY KEY,
    order_id     BIGINT,
    user_id      BIGINT,
    product_name VARCHAR(200),
    quantity     INT,
    total_amount DECIMAL(10, 2),
    order_status VARCHAR(20),
    order_time   TIMESTAMP(3),
    updated_at   TIMESTAMP(3)
);

CREATE FUNCTION business.record_order_version() RETURNS trigger AS $$
BEGIN
    INSERT INTO business.order_versions (order_id, user_id, product_name, quantity, total_amount, order_status, order_time, updated_at)
    VALUES (NEW.order_id, NEW.user_id, NEW.product_name, NEW.quantity, NEW.total_amount, NEW.order_status, NEW.order_time, NEW.updated_at);
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER order_versions AFTER INSERT OR UPDATE ON business.orders
    FOR EACH ROW EXECUTE FUNCTION business.record_order_version();

-- The orders already in the table (source_db.sql's five) are their own first versions.
INSERT INTO business.order_versions (order_id, user_id, product_name, quantity, total_amount, order_status, order_time, updated_at)
SELECT order_id, user_id, product_name, quantity, total_amount, order_status, order_time, updated_at FROM business.orders;

-- The order and the item the chaos runner updates to see when the pipelines flow again (user 1
-- never exists; the workload touches neither).
INSERT INTO business.orders (order_id, user_id, product_name, product_category, quantity, unit_price, total_amount, order_status)
VALUES (1, 1, 'probe', '图书', 1, 1.00, 1.00, 'PENDING');

INSERT INTO business.products (product_id, name, category, price)
SELECT n, 'product ' || n, (ARRAY['电子产品', '服装鞋帽', '图书', '家居用品', '食品饮料', '宠物用品'])[1 + n % 6], 10 + (n * 37) % 990
FROM generate_series(1, 30) AS n;

INSERT INTO business.order_items (item_id, order_id, product_id, quantity) VALUES (0, 1, 1, 1000);
