/**
 * The sink tables of both pipelines, each with the plain PostgreSQL query over the final source
 * tables that computes what it must hold. Both sides give text in the same shape (numbers as
 * PostgreSQL prints them, timestamps as 'YYYY-MM-DD HH24:MI:SS.MS'), compared by key.
 *
 * Two sink tables keep history rather than state, so their oracle reads business.order_versions,
 * every version an order has had (a trigger in the source database writes it):
 * - order_status_history: per order and status, the last version in that status. Its username is
 *   the one joined when that version passed the join, which depends on when the user's changes
 *   arrived; only the row of an order's current status must show the current user.
 * - dws_order_events_per_minute: an event-time window over every version; `orders` (distinct
 *   orders per minute and status) is exact for the windows the watermark has closed. `events` also
 *   counts the versions re-emitted when a user changes, which depends on timing; it is not compared.
 *
 * The tables of 6_shop_analytics.sql (SHOP_TABLES) are checked by `rivulet validate` too, so their
 * oracle is in src/cli/validate/shop-tables.ts.
 */
import { ANY, type CheckedTable } from '../../src/cli/validate/oracle-compare.ts';
import { category, DWD_FILTER, ts } from '../../src/cli/validate/oracle-sql.ts';

export { ANY, type CheckedTable, WATERMARK_CUTOFF_SQL } from '../../src/cli/validate/oracle-compare.ts';
export { SHOP_TABLES } from '../../src/cli/validate/shop-tables.ts';

const statusDesc = (status: string) => `CASE upper(${status}) WHEN 'PENDING' THEN '待处理' WHEN 'SHIPPED' THEN '已发货'
    WHEN 'COMPLETED' THEN '已完成' WHEN 'CANCELLED' THEN '已取消' ELSE '未知状态' END`;
const TIER = `CASE WHEN u.city IN ('北京', '上海', '广州', '深圳') THEN '一线城市'
    WHEN u.city IN ('杭州', '南京', '成都', '武汉', '西安', '重庆', '天津', '苏州') THEN '二线城市'
    WHEN u.city IS NULL THEN '未知' ELSE '其他城市' END`;

/** 2_dwd_layer.sql and 3_dimension_join.sql over the source tables. */
const JOINED = `SELECT o.order_id, o.user_id, COALESCE(u.username, 'Unknown User') AS username,
    COALESCE(u.email, 'unknown@example.com') AS email, u.phone, u.city, trim(o.product_name) AS product_name,
    o.product_category, ${category('o.product_category')} AS product_category_normalized, o.quantity, o.unit_price, o.total_amount,
    upper(o.order_status) AS order_status, ${statusDesc('o.order_status')} AS order_status_desc, o.order_time,
    u.register_time AS user_register_time, ${TIER} AS user_city_tier, o.updated_at
  FROM business.orders o LEFT JOIN business.users u ON u.user_id = o.user_id
  WHERE ${DWD_FILTER('o')}`;

const ORDER_COLUMNS = `order_id::text, user_id::text, username, email, phone, city, product_name, product_category,
    product_category_normalized, quantity::text, unit_price::text, total_amount::text, total_amount_yuan,
    order_status, order_status_desc, ${ts('order_time')}, order_date, order_hour::text,
    ${ts('user_register_time')}, user_city_tier, ${ts('updated_at')}`;

/** Windows the watermark has closed: `$1` is the cutoff (`WATERMARK_CUTOFF_SQL`). */
const CLOSED = 'window_end <= $1::timestamp';

export const SEED_TABLES: readonly CheckedTable[] = [
  {
    name: 'result.orders_with_user_info',
    key: ['order_id'],
    sinkSql: `SELECT ${ORDER_COLUMNS} FROM result.orders_with_user_info`,
    oracleSql: `SELECT ${ORDER_COLUMNS} FROM (SELECT *, '¥' || total_amount::text AS total_amount_yuan,
        to_char(order_time, 'YYYY-MM-DD') AS order_date, extract(hour FROM order_time)::int AS order_hour
      FROM (${JOINED}) j) r`,
  },
  {
    name: 'result.order_status_history',
    key: ['order_id', 'order_status'],
    sinkSql: `SELECT order_id::text, order_status, order_status_desc, user_id::text, username, product_name,
        total_amount::text, ${ts('order_time')}, ${ts('updated_at')} FROM result.order_status_history`,
    oracleSql: `SELECT v.order_id::text, upper(v.order_status) AS order_status, ${statusDesc('v.order_status')} AS order_status_desc,
        v.user_id::text,
        CASE WHEN o.order_status = v.order_status THEN COALESCE(u.username, 'Unknown User') ELSE '${ANY}' END AS username,
        trim(v.product_name) AS product_name, v.total_amount::text, ${ts('v.order_time', 'order_time')},
        ${ts('v.updated_at', 'updated_at')}
      FROM (SELECT DISTINCT ON (order_id, order_status) * FROM business.order_versions v WHERE ${DWD_FILTER('v')}
             ORDER BY order_id, order_status, version_id DESC) v
      LEFT JOIN business.orders o ON o.order_id = v.order_id AND ${DWD_FILTER('o')}
      LEFT JOIN business.users u ON u.user_id = o.user_id`,
  },
  {
    name: 'result.dws_gmv_per_minute',
    key: ['minute_start', 'user_city_tier', 'product_category_normalized'],
    sinkSql: `SELECT ${ts('minute_start')}, user_city_tier, product_category_normalized, gmv::text, order_count::text
      FROM result.dws_gmv_per_minute`,
    oracleSql: `SELECT ${ts("date_trunc('minute', order_time)", 'minute_start')}, user_city_tier, product_category_normalized,
        sum(total_amount)::text AS gmv, count(*)::text AS order_count
      FROM (${JOINED}) j GROUP BY 1, 2, 3`,
  },
  {
    name: 'result.dws_order_events_per_minute',
    key: ['window_start', 'order_status'],
    sinkSql: `SELECT ${ts('window_start')}, ${ts('window_end')}, order_status, orders::text
      FROM result.dws_order_events_per_minute WHERE ${CLOSED}`,
    oracleSql: `SELECT ${ts('window_start')}, ${ts('window_end')}, order_status, count(DISTINCT order_id)::text AS orders
      FROM (SELECT date_trunc('minute', updated_at) AS window_start,
                   date_trunc('minute', updated_at) + interval '1 minute' AS window_end,
                   upper(order_status) AS order_status, order_id
              FROM business.order_versions v WHERE ${DWD_FILTER('v')}) v
      WHERE ${CLOSED} GROUP BY window_start, window_end, order_status`,
  },
  {
    name: 'result.ads_user_order_totals',
    key: ['user_id'],
    sinkSql: `SELECT user_id::text, username, order_count::text, total_amount::text, avg_amount::text,
        ${ts('last_order_time')} FROM result.ads_user_order_totals`,
    oracleSql: `SELECT user_id::text, max(username) AS username, count(*)::text AS order_count,
        sum(total_amount)::text AS total_amount, round(avg(total_amount), 6)::text AS avg_amount,
        ${ts('max(order_time)', 'last_order_time')}
      FROM (${JOINED}) j GROUP BY user_id`,
  },
];

/** scripts/chaos/sales_2_aggregates.sql over the source tables. */
export const SALES_TABLES: readonly CheckedTable[] = [
  {
    name: 'sales.category_sales',
    key: ['category'],
    sinkSql: `SELECT category, lines::text, units::text, revenue::text, max_price::text, min_quantity::text
      FROM sales.category_sales`,
    oracleSql: `SELECT p.category, count(*)::text AS lines, sum(i.quantity)::text AS units,
        sum(i.quantity * p.price)::text AS revenue, max(p.price)::text AS max_price, min(i.quantity)::text AS min_quantity
      FROM business.order_items i JOIN business.products p ON i.product_id = p.product_id GROUP BY p.category`,
  },
  {
    name: 'sales.order_lines',
    key: ['order_id'],
    sinkSql: 'SELECT order_id::text, order_status, lines::text, units::text FROM sales.order_lines',
    oracleSql: `SELECT o.order_id::text, max(o.order_status) AS order_status, count(i.item_id)::text AS lines,
        sum(i.quantity)::text AS units
      FROM business.orders o LEFT JOIN business.order_items i ON i.order_id = o.order_id GROUP BY o.order_id`,
  },
  {
    name: 'sales.city_revenue',
    key: ['city'],
    sinkSql: 'SELECT city, buyers::text, revenue::text FROM sales.city_revenue',
    oracleSql: `SELECT COALESCE(u.city, '未知') AS city, count(DISTINCT o.user_id)::text AS buyers,
        sum(i.quantity * p.price)::text AS revenue
      FROM business.order_items i JOIN business.products p ON i.product_id = p.product_id
      JOIN business.orders o ON i.order_id = o.order_id
      LEFT JOIN business.users u ON o.user_id = u.user_id
      GROUP BY 1`,
  },
];
