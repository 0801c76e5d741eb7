-- sink_db: where the pipeline writes its results (the seed's postgres-sink).
-- orders_with_user_info holds every field of the seed's sample JSON (one row per order, always the
-- latest state); order_status_history keeps one row per status an order has been in.

CREATE SCHEMA result;

CREATE TABLE result.orders_with_user_info (
    order_id                    BIGINT PRIMARY KEY,
    user_id                     BIGINT,
    username                    VARCHAR(50),
    email                       VARCHAR(100),
    phone                       VARCHAR(20),
    city                        VARCHAR(50),
    product_name                VARCHAR(200),
    product_category            VARCHAR(50),
    product_category_normalized VARCHAR(50),
    quantity                    INT,
    unit_price                  DECIMAL(10, 2),
    total_amount                DECIMAL(10, 2),
    total_amount_yuan           VARCHAR(32),
    order_status                VARCHAR(20),
    order_status_desc           VARCHAR(20),
    order_time                  TIMESTAMP(3),
    order_date                  VARCHAR(10),
    order_hour                  INT,
    user_register_time          TIMESTAMP(3),
    user_city_tier              VARCHAR(20),
    join_time                   TIMESTAMP(3),
    -- when the source row last changed: the start of the end-to-end latency of this version
    updated_at                  TIMESTAMP(3),
    processed_time              TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE result.order_status_history (
    order_id          BIGINT       NOT NULL,
    order_status      VARCHAR(20)  NOT NULL,
    order_status_desc VARCHAR(20),
    user_id           BIGINT,
    username          VARCHAR(50),
    product_name      VARCHAR(200),
    total_amount      DECIMAL(10, 2),
    order_time        TIMESTAMP(3),
    -- when the source row entered this status
    updated_at        TIMESTAMP(3),
    processed_time    TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (order_id, order_status)
);
