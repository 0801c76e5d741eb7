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
