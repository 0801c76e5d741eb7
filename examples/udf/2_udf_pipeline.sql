-- The three kinds of user-defined function, from functions.ts beside this file, over the reviews
-- topic (an updating changelog: the aggregate function needs its retract method).
CREATE FUNCTION mask_email AS 'functions.ts#maskEmail' LANGUAGE TYPESCRIPT;
CREATE FUNCTION split_tags AS 'functions.ts#splitTags' LANGUAGE TYPESCRIPT;
CREATE FUNCTION weighted_avg AS 'functions.ts#weightedAvg' LANGUAGE TYPESCRIPT;

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

CREATE TABLE masked_reviews (
    review_id BIGINT,
    email     STRING,
    PRIMARY KEY (review_id) NOT ENFORCED
) WITH (
    'connector' = 'jdbc',
    'url' = 'jdbc:postgresql://${SINK_HOST:-localhost}:${SINK_PORT:-5433}/sink_db',
    'table-name' = 'result.masked_reviews',
    'username' = '${SINK_USER:-postgres}',
    'password' = '${SINK_PASSWORD:-postgres}'
);

CREATE TABLE review_tags (
    review_id BIGINT,
    position  INT,
    tag       STRING,
    PRIMARY KEY (review_id, position) NOT ENFORCED
) WITH (
    'connector' = 'jdbc',
    'url' = 'jdbc:postgresql://${SINK_HOST:-localhost}:${SINK_PORT:-5433}/sink_db',
    'table-name' = 'result.review_tags',
    'username' = '${SINK_USER:-postgres}',
    'password' = '${SINK_PASSWORD:-postgres}'
);

CREATE TABLE review_tag_counts (
    review_id BIGINT,
    tags      BIGINT,
    PRIMARY KEY (review_id) NOT ENFORCED
) WITH (
    'connector' = 'jdbc',
    'url' = 'jdbc:postgresql://${SINK_HOST:-localhost}:${SINK_PORT:-5433}/sink_db',
    'table-name' = 'result.review_tag_counts',
    'username' = '${SINK_USER:-postgres}',
    'password' = '${SINK_PASSWORD:-postgres}'
);

CREATE TABLE product_ratings (
    product         STRING,
    weighted_rating BIGINT,
    PRIMARY KEY (product) NOT ENFORCED
) WITH (
    'connector' = 'jdbc',
    'url' = 'jdbc:postgresql://${SINK_HOST:-localhost}:${SINK_PORT:-5433}/sink_db',
    'table-name' = 'result.product_ratings',
    'username' = '${SINK_USER:-postgres}',
    'password' = '${SINK_PASSWORD:-postgres}'
);

EXECUTE STATEMENT SET BEGIN
-- scalar
INSERT INTO masked_reviews SELECT review_id, mask_email(email) FROM reviews;
-- table, joined to each row (CROSS JOIN LATERAL TABLE: rows without tags give nothing)
INSERT INTO review_tags
SELECT r.review_id, t.position, t.tag FROM reviews AS r, LATERAL TABLE(split_tags(r.tags)) AS t(tag, position);
-- table with LEFT JOIN ... ON TRUE: a review without tags counts 0
INSERT INTO review_tag_counts
SELECT r.review_id, COUNT(t.tag)
FROM reviews AS r LEFT JOIN LATERAL TABLE(split_tags(r.tags)) AS t(tag, position) ON TRUE
GROUP BY r.review_id;
-- aggregate
INSERT INTO product_ratings SELECT product, weighted_avg(rating, weight) FROM reviews GROUP BY product;
END;
