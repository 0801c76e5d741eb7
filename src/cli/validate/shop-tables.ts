import { ANY, type CheckedTable } from './oracle-compare.ts';
import { category, DWD_FILTER, ts } from './oracle-sql.ts';

/**
 * The sink tables of examples/ecommerce/6_shop_analytics.sql, each with the PostgreSQL query over
 * source_db that computes what it must hold. The script reads every version of the orders (the
 * append-only stream of dwd_orders), the payments and the users' versions, so the oracle reads the
 * history the source's triggers keep (business.order_versions, business.user_versions) and
 * business.payments. What is compared:
 * - order_latest_status (deduplication, emitted as rows arrive): every order, exact.
 * - top_products_per_minute (window Top-N): the minutes the watermark of the order changes has
 *   closed (ending 6 s or more before the latest change); later windows are still open.
 * - user_spend_last_hour (OVER RANGE): the payments the payments' watermark has passed (6 s or more
 *   before the latest payment); a payment dated behind that watermark when it arrives is late,
 *   dropped by the OVER aggregate, and shows as missing (PostgreSQL cannot tell it was late).
 * - payments_matched (interval join, emitted as rows arrive): every payment, exact.
 * - order_changes_with_user_city (event-time temporal join): the order changes both watermarks (the
 *   orders' and the users') have passed. Where the user's version at that time is a deletion, the
 *   joined name and city depend on whether the deletion had arrived when the change was joined:
 *   not compared.
 */

/** The records of dwd_orders: every version of an order that passes the DWD filter. */
const ORDER_EVENTS = `SELECT * FROM business.order_versions v WHERE ${DWD_FILTER('v')}`;

/** The latest time of a stream less the watermark's 5 s delay, and a margin of 1 s. */
const cutoff = (times: string) => `SELECT (${times} - interval '6 seconds')::text AS cutoff`;
const ORDERS_CUTOFF = cutoff(`(SELECT max(updated_at) FROM (${ORDER_EVENTS}) e)`);
const PAYMENTS_CUTOFF = cutoff('(SELECT max(paid_at) FROM business.payments)');
const ORDERS_AND_USERS_CUTOFF = cutoff(
  `least((SELECT max(updated_at) FROM (${ORDER_EVENTS}) e), (SELECT max(updated_at) FROM business.user_versions WHERE NOT deleted))`,
);

const LATEST_STATUS_COLUMNS = `order_id::text, user_id::text, order_status, total_amount::text, ${ts('updated_at')}`;
const TOP_COLUMNS = `${ts('window_start')}, ${ts('window_end')}, product_category_normalized, ranking::text,
    product_name, orders::text`;
const SPEND_COLUMNS = `payment_id::text, user_id::text, amount::text, ${ts('paid_at')}, spend_last_hour::text,
    payments_last_hour::text`;
const MATCHED_COLUMNS = `payment_id::text, ${ts('order_updated_at')}, order_id::text, order_status, order_amount::text,
    amount::text, pay_method, ${ts('paid_at')}`;

export const SHOP_TABLES: readonly CheckedTable[] = [
  {
    name: 'result.order_latest_status',
    key: ['order_id'],
    sinkSql: `SELECT ${LATEST_STATUS_COLUMNS} FROM result.order_latest_status`,
    // Keep-last on a tie of updated_at: the version that came last.
    oracleSql: `SELECT ${LATEST_STATUS_COLUMNS} FROM (
        SELECT DISTINCT ON (order_id) order_id, user_id, upper(order_status) AS order_status, total_amount, updated_at
        FROM (${ORDER_EVENTS}) e ORDER BY order_id, updated_at DESC, version_id DESC) l`,
  },
  {
    name: 'result.top_products_per_minute',
    key: ['window_start', 'product_category_normalized', 'ranking'],
    sinkSql: `SELECT ${TOP_COLUMNS} FROM result.top_products_per_minute WHERE window_end <= $1::timestamp`,
    // Product names order as Flink compares strings (UTF-8 bytes): COLLATE "C".
    oracleSql: `SELECT ${TOP_COLUMNS} FROM (
        SELECT *, row_number() OVER (PARTITION BY window_start, product_category_normalized
                                     ORDER BY orders DESC, product_name COLLATE "C") AS ranking
        FROM (SELECT date_trunc('minute', updated_at) AS window_start,
                     date_trunc('minute', updated_at) + interval '1 minute' AS window_end,
                     ${category('product_category')} AS product_category_normalized, trim(product_name) AS product_name,
                     count(DISTINCT order_id) AS orders
                FROM (${ORDER_EVENTS}) e GROUP BY 1, 2, 3, 4) g) r
      WHERE ranking <= 3 AND window_end <= $1::timestamp`,
    cutoffSql: ORDERS_CUTOFF,
  },
  {
    name: 'result.user_spend_last_hour',
    key: ['payment_id'],
    sinkSql: `SELECT ${SPEND_COLUMNS} FROM result.user_spend_last_hour WHERE paid_at <= $1::timestamp`,
    oracleSql: `SELECT ${SPEND_COLUMNS} FROM (
        SELECT p.*, sum(amount) OVER w AS spend_last_hour, count(*) OVER w AS payments_last_hour
        FROM business.payments p
        WINDOW w AS (PARTITION BY user_id ORDER BY paid_at RANGE BETWEEN INTERVAL '1 hour' PRECEDING AND CURRENT ROW)) s
      WHERE paid_at <= $1::timestamp`,
    cutoffSql: PAYMENTS_CUTOFF,
  },
  {
    name: 'result.payments_matched',
    key: ['payment_id', 'order_updated_at'],
    sinkSql: `SELECT ${MATCHED_COLUMNS} FROM result.payments_matched`,
    // Two versions of one time are both joined; the sink keeps the one that came last.
    oracleSql: `SELECT ${MATCHED_COLUMNS} FROM (
        SELECT DISTINCT ON (p.payment_id, e.updated_at) p.payment_id, e.updated_at AS order_updated_at, p.order_id,
               upper(e.order_status) AS order_status, e.total_amount AS order_amount, p.amount, p.pay_method, p.paid_at
        FROM business.payments p
        JOIN (${ORDER_EVENTS}) e ON e.order_id = p.order_id
         AND p.paid_at BETWEEN e.updated_at AND e.updated_at + interval '30 minutes'
        ORDER BY p.payment_id, e.updated_at, e.version_id DESC) m`,
  },
  {
    name: 'result.order_changes_with_user_city',
    key: ['order_id', 'updated_at'],
    sinkSql: `SELECT order_id::text, ${ts('updated_at')}, user_id::text, order_status, total_amount::text, username, city
      FROM result.order_changes_with_user_city WHERE updated_at <= $1::timestamp`,
    // The user's version at the change's time: the latest at or before it (of one time, the last).
    oracleSql: `SELECT e.order_id::text, ${ts('e.updated_at', 'updated_at')}, e.user_id::text, e.order_status,
        e.total_amount::text, CASE WHEN u.deleted THEN '${ANY}' ELSE u.username END AS username,
        CASE WHEN u.deleted THEN '${ANY}' ELSE u.city END AS city
      FROM (SELECT DISTINCT ON (order_id, updated_at) order_id, updated_at, user_id, upper(order_status) AS order_status,
                   total_amount
              FROM (${ORDER_EVENTS}) e ORDER BY order_id, updated_at, version_id DESC) e
      LEFT JOIN LATERAL (SELECT username, city, deleted FROM business.user_versions uv
                          WHERE uv.user_id = e.user_id AND uv.updated_at <= e.updated_at
                          ORDER BY uv.updated_at DESC, uv.version_id DESC LIMIT 1) u ON true
      WHERE e.updated_at <= $1::timestamp`,
    cutoffSql: ORDERS_AND_USERS_CUTOFF,
  },
];
