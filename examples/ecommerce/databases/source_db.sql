-- source_db: the business system whose changes the pipeline captures (the seed's postgres-source).
-- Times are TIMESTAMP(3) to match the Flink tables; money is DECIMAL(10,2).

CREATE SCHEMA business;

CREATE TABLE business.users (
    user_id       BIGINT PRIMARY KEY,
    username      VARCHAR(50)  NOT NULL,
    email         VARCHAR(100),
    phone         VARCHAR(20),
    city          VARCHAR(50),
    register_time TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at    TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- No foreign key to users: an order may arrive before its user (the join then shows 'Unknown User').
CREATE TABLE business.orders (
    order_id         BIGINT PRIMARY KEY,
    user_id          BIGINT         NOT NULL,
    product_name     VARCHAR(200)   NOT NULL,
    product_category VARCHAR(50),
    quantity         INT            NOT NULL,
    unit_price       DECIMAL(10, 2) NOT NULL,
    total_amount     DECIMAL(10, 2) NOT NULL,
    order_status     VARCHAR(20)    NOT NULL DEFAULT 'PENDING',
    order_time       TIMESTAMP(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at       TIMESTAMP(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX orders_user_id_idx ON business.orders (user_id);

-- Payments are facts: inserted, never changed (6_shop_analytics.sql).
CREATE TABLE business.payments (
    payment_id BIGINT PRIMARY KEY,
    order_id   BIGINT         NOT NULL,
    user_id    BIGINT         NOT NULL,
    amount     DECIMAL(10, 2) NOT NULL,
    pay_method VARCHAR(20),
    paid_at    TIMESTAMP(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- Every version of every order and user, written by triggers: the history the event-time results
-- of 6_shop_analytics.sql are computed from, which `rivulet validate` (and the chaos and Flink
-- parity suites) recompute in PostgreSQL. No pipeline reads these tables.
CREATE TABLE business.order_versions (
    version_id       BIGSERIAL PRIMARY KEY,
    order_id         BIGINT,
    user_id          BIGINT,
    product_name     VARCHAR(200),
    product_category VARCHAR(50),
    quantity         INT,
    total_amount     DECIMAL(10, 2),
    order_status     VARCHAR(20),
    order_time       TIMESTAMP(3),
    updated_at       TIMESTAMP(3)
);

CREATE FUNCTION business.record_order_version() RETURNS trigger AS $$
BEGIN
    INSERT INTO business.order_versions (order_id, user_id, product_name, product_category, quantity, total_amount, order_status, order_time, updated_at)
    VALUES (NEW.order_id, NEW.user_id, NEW.product_name, NEW.product_category, NEW.quantity, NEW.total_amount, NEW.order_status, NEW.order_time, NEW.updated_at);
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER order_versions AFTER INSERT OR UPDATE ON business.orders
    FOR EACH ROW EXECUTE FUNCTION business.record_order_version();

-- A delete (or a new user_id, which the change stream carries as a delete and an insert) is a
-- version of its own, at the deleted row's updated_at, as a versioned table keeps it.
CREATE TABLE business.user_versions (
    version_id BIGSERIAL PRIMARY KEY,
    user_id    BIGINT,
    username   VARCHAR(50),
    city       VARCHAR(50),
    updated_at TIMESTAMP(3),
    deleted    BOOLEAN NOT NULL DEFAULT false
);

CREATE FUNCTION business.record_user_version() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.user_id <> NEW.user_id) THEN
        INSERT INTO business.user_versions (user_id, username, city, updated_at, deleted)
        VALUES (OLD.user_id, OLD.username, OLD.city, OLD.updated_at, true);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO business.user_versions (user_id, username, city, updated_at)
        VALUES (NEW.user_id, NEW.username, NEW.city, NEW.updated_at);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER user_versions AFTER INSERT OR UPDATE OR DELETE ON business.users
    FOR EACH ROW EXECUTE FUNCTION business.record_user_version();

INSERT INTO business.users (user_id, username, email, phone, city, register_time, updated_at) VALUES
    (1001, '张三', 'zhangsan@example.com', '13812345678', '北京', '2025-07-11 17:25:55.143', '2025-07-11 17:25:55.143'),
    (1002, '李四', 'lisi@example.com',     '13923456789', '上海', '2025-07-11 17:25:55.143', '2025-07-11 17:25:55.143'),
    (1003, '王五', 'wangwu@example.com',   '13734567890', '广州', '2025-07-11 17:25:55.143', '2025-07-11 17:25:55.143'),
    (1004, '赵六', 'zhaoliu@example.com',  '13645678901', '深圳', '2025-07-11 17:25:55.143', '2025-07-11 17:25:55.143'),
    (1005, '钱七', 'qianqi@example.com',   '13556789012', '杭州', '2025-07-11 17:25:55.143', '2025-07-11 17:25:55.143');

INSERT INTO business.orders (order_id, user_id, product_name, product_category, quantity, unit_price, total_amount, order_status, order_time, updated_at) VALUES
    (2001, 1001, 'iPhone 15',        '电子产品', 1, 5999.00,  5999.00,  'COMPLETED', '2025-07-11 17:25:55.145', '2025-07-11 17:25:55.145'),
    (2002, 1002, 'Nike Air Max 270', '服装鞋帽', 2,  899.00,  1798.00,  'SHIPPED',   '2025-07-11 17:25:55.145', '2025-07-11 17:25:55.145'),
    (2003, 1003, 'MacBook Pro 14',   '电子产品', 1, 14999.00, 14999.00, 'PENDING',   '2025-07-11 17:25:55.145', '2025-07-11 17:25:55.145'),
    (2004, 1004, '羽绒服',           '服装鞋帽', 1,  599.00,  599.00,   'COMPLETED', '2025-07-11 17:25:55.145', '2025-07-11 17:25:55.145'),
    (2005, 1005, '三体（全集）',     '图书',     3,   68.00,  204.00,   'PENDING',   '2025-07-11 17:25:55.145', '2025-07-11 17:25:55.145');

-- Paid within 30 minutes of the order: 3001, 3002 and 3003 (a deposit); 3004 and 3005 (the rest
-- of order 2003) later.
INSERT INTO business.payments (payment_id, order_id, user_id, amount, pay_method, paid_at) VALUES
    (3001, 2001, 1001,  5999.00, '支付宝',   '2025-07-11 17:27:03.000'),
    (3002, 2002, 1002,  1798.00, '微信支付', '2025-07-11 17:41:20.000'),
    (3003, 2003, 1003,  2000.00, '微信支付', '2025-07-11 17:50:00.000'),
    (3004, 2004, 1004,   599.00, '银行卡',   '2025-07-11 18:05:00.000'),
    (3005, 2003, 1003, 12999.00, '微信支付', '2025-07-11 18:20:00.000');
