-- ARRAY, MAP, ROW and MULTISET columns: access in a Calc, UNNEST as Flink's Correlate, refusals.
CREATE TABLE orders (order_id BIGINT, tags ARRAY<STRING>, quantities MAP<STRING, INT>, address ROW<city STRING, zip INT>,
    lines ARRAY<ROW<sku STRING, qty INT>>, labels MULTISET<STRING>, PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'orders', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE clicks (user_id BIGINT, urls ARRAY<STRING>) WITH ('connector' = 'kafka', 'topic' = 'clicks', 'format' = 'json');
CREATE TABLE out_orders (order_id BIGINT, first_tag STRING, city STRING, n INT, PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'out', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE out_tags (order_id BIGINT, tag STRING, PRIMARY KEY (order_id, tag) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'out_tags', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE out_urls (user_id BIGINT, url STRING) WITH ('connector' = 'kafka', 'topic' = 'out_urls', 'format' = 'json');

-- case: element, value and field access, CARDINALITY
INSERT INTO out_orders SELECT order_id, tags[1], address.city, CARDINALITY(tags) + quantities['apple'] FROM orders;

-- case: a table's alias before a ROW column's field
INSERT INTO out_orders SELECT o.order_id, ELEMENT(o.tags), o.address.city, o.address.zip FROM orders AS o;

-- case: CROSS JOIN UNNEST of an array over an updating input: no unique key, so the keyed sink materializes
INSERT INTO out_tags SELECT order_id, tag FROM orders CROSS JOIN UNNEST(tags) AS t(tag);

-- case: comma join with UNNEST over an insert-only input stays insert-only
INSERT INTO out_urls SELECT user_id, url FROM clicks, UNNEST(clicks.urls) AS u(url);

-- case: LEFT JOIN UNNEST ON TRUE
INSERT INTO out_tags SELECT order_id, tag FROM orders LEFT JOIN UNNEST(tags) AS t(tag) ON TRUE;

-- case: UNNEST of a MAP, filtered on the value
INSERT INTO out_tags SELECT order_id, sku FROM orders CROSS JOIN UNNEST(quantities) AS q(sku, qty) WHERE qty > 1;

-- case: UNNEST of an array of rows gives the rows' fields
INSERT INTO out_tags SELECT order_id, sku FROM orders CROSS JOIN UNNEST(lines) AS l(sku, qty);

-- case: UNNEST of a MULTISET gives each element as often as it occurs
INSERT INTO out_tags SELECT order_id, label FROM orders CROSS JOIN UNNEST(labels) AS l(label);

-- case: group by an array
CREATE TABLE out_counts (tags ARRAY<STRING>, n BIGINT, PRIMARY KEY (tags) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'counts', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO out_counts SELECT tags, COUNT(*) FROM orders GROUP BY tags;

-- case: UNNEST needs a collection
INSERT INTO out_tags SELECT order_id, tag FROM orders CROSS JOIN UNNEST(order_id) AS t(tag);

-- case: as many column names as the collection has columns
INSERT INTO out_tags SELECT order_id, k FROM orders CROSS JOIN UNNEST(quantities) AS t(k);

-- case: LEFT JOIN UNNEST takes only ON TRUE
INSERT INTO out_tags SELECT order_id, tag FROM orders LEFT JOIN UNNEST(tags) AS t(tag) ON tag <> 'x';

-- case: UNNEST alone in FROM
INSERT INTO out_urls SELECT 1, url FROM UNNEST(ARRAY['a']) AS u(url);

-- case: a MAP with keys other than strings in the json format
CREATE TABLE bad_map (id BIGINT, m MAP<INT, STRING>) WITH ('connector' = 'kafka', 'topic' = 'bad', 'format' = 'json');

-- case: a MAP column in a jdbc table
CREATE TABLE bad_jdbc (id BIGINT, m MAP<STRING, STRING>) WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://localhost:5433/db', 'table-name' = 'm');
