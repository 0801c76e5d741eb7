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

-- DWS / ADS (5_dws_ads.sql)
CREATE TABLE result.dws_gmv_per_minute (
    minute_start                TIMESTAMP(3)   NOT NULL,
    user_city_tier              VARCHAR(20)    NOT NULL,
    product_category_normalized VARCHAR(50)    NOT NULL,
    gmv                         DECIMAL(38, 2),
    order_count                 BIGINT,
    PRIMARY KEY (minute_start, user_city_tier, product_category_normalized)
);

CREATE TABLE result.dws_order_events_per_minute (
    window_start TIMESTAMP(3) NOT NULL,
    window_end   TIMESTAMP(3),
    order_status VARCHAR(20)  NOT NULL,
    events       BIGINT,
    orders       BIGINT,
    PRIMARY KEY (window_start, order_status)
);

CREATE TABLE result.ads_user_order_totals (
    user_id         BIGINT PRIMARY KEY,
    username        VARCHAR(50),
    order_count     BIGINT,
    total_amount    DECIMAL(38, 2),
    avg_amount      DECIMAL(38, 6),
    last_order_time TIMESTAMP(3)
);

-- Shop analytics (6_shop_analytics.sql)
CREATE TABLE result.order_latest_status (
    order_id     BIGINT PRIMARY KEY,
    user_id      BIGINT,
    order_status VARCHAR(20),
    total_amount DECIMAL(10, 2),
    updated_at   TIMESTAMP(3)
);

CREATE TABLE result.top_products_per_minute (
    window_start                TIMESTAMP(3) NOT NULL,
    window_end                  TIMESTAMP(3),
    product_category_normalized VARCHAR(50)  NOT NULL,
    ranking                     BIGINT       NOT NULL,
    product_name                VARCHAR(200),
    orders                      BIGINT,
    PRIMARY KEY (window_start, product_category_normalized, ranking)
);

CREATE TABLE result.user_spend_last_hour (
    payment_id         BIGINT PRIMARY KEY,
    user_id            BIGINT,
    amount             DECIMAL(10, 2),
    paid_at            TIMESTAMP(3),
    spend_last_hour    DECIMAL(38, 2),
    payments_last_hour BIGINT
);

CREATE TABLE result.payments_matched (
    payment_id       BIGINT       NOT NULL,
    order_updated_at TIMESTAMP(3) NOT NULL,
    order_id         BIGINT,
    order_status     VARCHAR(20),
    order_amount     DECIMAL(10, 2),
    amount           DECIMAL(10, 2),
    pay_method       VARCHAR(20),
    paid_at          TIMESTAMP(3),
    PRIMARY KEY (payment_id, order_updated_at)
);

CREATE TABLE result.order_changes_with_user_city (
    order_id     BIGINT       NOT NULL,
    updated_at   TIMESTAMP(3) NOT NULL,
    user_id      BIGINT,
    order_status VARCHAR(20),
    total_amount DECIMAL(10, 2),
    username     VARCHAR(50),
    city         VARCHAR(50),
    PRIMARY KEY (order_id, updated_at)
);
