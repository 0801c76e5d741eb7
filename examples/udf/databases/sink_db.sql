-- sink_db: what the user-defined functions of the pipeline compute.
CREATE SCHEMA result;

CREATE TABLE result.masked_reviews (review_id BIGINT PRIMARY KEY, email VARCHAR(100));
CREATE TABLE result.review_tags (review_id BIGINT, position INT, tag VARCHAR(50), PRIMARY KEY (review_id, position));
CREATE TABLE result.review_tag_counts (review_id BIGINT PRIMARY KEY, tags BIGINT);
CREATE TABLE result.product_ratings (product VARCHAR(50) PRIMARY KEY, weighted_rating BIGINT);
