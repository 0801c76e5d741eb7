/** Pieces of the example's scripts written in PostgreSQL's SQL, for the oracle queries over source_db. */

/** A timestamp as the oracle compares it: text to the millisecond. */
export const ts = (column: string, as = column) => `to_char(${column}, 'YYYY-MM-DD HH24:MI:SS.MS') AS ${as}`;

/** product_category_normalized of 2_dwd_layer.sql. */
export const category = (
  column: string,
) => `CASE ${column} WHEN '电子产品' THEN 'ELECTRONICS' WHEN '服装鞋帽' THEN 'CLOTHING'
    WHEN '图书' THEN 'BOOKS' WHEN '家居用品' THEN 'HOME' WHEN '食品饮料' THEN 'FOOD' ELSE 'OTHER' END`;

/** The filter of 2_dwd_layer.sql: an order that leaves it is deleted downstream. */
export const DWD_FILTER = (o: string) => `${o}.order_id IS NOT NULL AND ${o}.quantity > 0 AND ${o}.total_amount >= 0`;
