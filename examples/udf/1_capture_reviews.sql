-- Captures shop.reviews into the upsert topic reviews.
CREATE TABLE reviews_source (
    review_id BIGINT,
    email     STRING,
    tags      STRING,
    product   STRING,
    rating    BIGINT,
    weight    INT,
    PRIMARY KEY (review_id) NOT ENFORCED
) WITH (
    'connector' = 'postgres-cdc',
    'hostname' = '${SOURCE_HOST:-localhost}',
    'port' = '${SOURCE_PORT:-5433}',
    'username' = '${SOURCE_USER:-postgres}',
    'password' = '${SOURCE_PASSWORD:-postgres}',
    'database-name' = 'source_db',
    'schema-name' = 'shop',
    'table-name' = 'reviews',
    'slot.name' = 'udf_reviews_slot'
);

CREATE TABLE reviews (
    review_id BIGINT,
    email     STRING,
    tags      STRING,
    product   STRING,
    rating    BIGINT,
    weight    INT,
    PRIMARY KEY (review_id) NOT ENFORCED
) WITH (
    'connector' = 'upsert-kafka',
    'topic' = 'reviews',
    'properties.bootstrap.servers' = '${KAFKA_SERVERS:-localhost:9092}',
    'key.format' = 'json',
    'value.format' = 'json'
);

INSERT INTO reviews SELECT * FROM reviews_source;
