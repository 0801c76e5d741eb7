-- Applied to sink_db after examples/ecommerce/databases/sink_db.sql: the sinks of sales_2_aggregates.sql.

CREATE SCHEMA sales;

CREATE TABLE sales.category_sales (
    category     VARCHAR(50) PRIMARY KEY,
    lines        BIGINT,
    units        BIGINT,
    revenue      DECIMAL(38, 2),
    max_price    DECIMAL(10, 2),
    min_quantity INT
);

CREATE TABLE sales.order_lines (
    order_id     BIGINT PRIMARY KEY,
    order_status VARCHAR(20),
    lines        BIGINT,
    units        BIGINT
);

CREATE TABLE sales.city_revenue (
    city    VARCHAR(50) PRIMARY KEY,
    buyers  BIGINT,
    revenue DECIMAL(38, 2)
);
