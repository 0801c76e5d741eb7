-- source_db: product reviews, captured by the pipeline.
CREATE SCHEMA shop;

CREATE TABLE shop.reviews (
    review_id BIGINT PRIMARY KEY,
    email     VARCHAR(100),
    tags      VARCHAR(200),
    product   VARCHAR(50) NOT NULL,
    rating    BIGINT NOT NULL,
    weight    INT NOT NULL
);

INSERT INTO shop.reviews VALUES
    (1, 'alice@example.com', 'fast,cheap', 'kettle', 4, 2),
    (2, 'bob@mail.org', 'cheap', 'kettle', 2, 1),
    (3, 'carol@example.com', NULL, 'toaster', 5, 3),
    (4, 'dan@x.io', 'loud, cheap,broken', 'toaster', 1, 1);
