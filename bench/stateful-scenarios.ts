/**
 * The SQL and the input rows of each stateful operator's benchmark line (bench/stateful-operators.ts).
 * Row i of a table has key i % keys; its time advances one minute every `keys` rows, so that a
 * one-minute window holds every key once and the watermark passes windows as rows go by.
 */
import { jsonDecoder } from '../src/connectors/formats/json-format.ts';
import type { Row } from '../src/expr/value.ts';
import type { PlanNode } from '../src/plan/nodes.ts';
import type { RowField } from '../src/types/data-type.ts';

export const BATCH = 1000;
/** 110k rows over 100k keys: past the first minute and its watermark, so that its windows fire. */
const SLOW_ROWS = 110_000;

/** Row i of a table over `keys` keys, decoded from Flink json by the table's own fields, as a source does. */
export type TableRows = (i: number, keys: number, fields: readonly RowField[]) => Row;

/**
 * The small input the scenarios are checked on (test/bench/stateful-operators.test.ts): 4 batches
 * of 1000 rows per table over 1000 keys, so each key has one row per batch and row i is at i × 60 ms.
 */
export const CHECK_KEYS = 1000;
export const CHECK_ROWS = 4000;

/** What a scenario's timed operators do on CHECK_ROWS rows per table over CHECK_KEYS keys. */
export interface ScenarioCheck {
  /** The first timed plan node: its kind, with a Rank's strategy, a window's type, a join's SEMI or ANTI. */
  readonly node: string;
  /** Rows out of the timed operators, worked out from the data and Flink's semantics (not recorded from a run). */
  readonly rows: number;
  /** How `rows` follows. */
  readonly why: string;
}

export interface Scenario {
  readonly name: string;
  readonly check: ScenarioCheck;
  /** CREATE TABLEs with ${append} or ${upsert} connectors (test/helpers/fixture-file.ts), and one INSERT. */
  readonly sql: string;
  /** The plan nodes timed, upstream first: the first is fed what the graph hands it, each next the previous one's output. */
  readonly timed: readonly PlanNode['kind'][];
  readonly tables: Readonly<Record<string, TableRows>>;
  /**
   * Rows per table: by default 200k (each key twice); 100k for two-input operators; SLOW_ROWS for
   * the slowest operators, to keep the group short.
   */
  readonly rows?: number;
}

const decoders = new WeakMap<readonly RowField[], (bytes: Uint8Array) => Row>();

function json(fields: readonly RowField[], record: Record<string, unknown>): Row {
  let decode = decoders.get(fields);
  if (!decode) {
    decode = jsonDecoder(fields);
    decoders.set(fields, decode);
  }
  return decode(Buffer.from(JSON.stringify(record)));
}

const T0 = Date.UTC(2025, 6, 11);

/** The event time of row i: one minute every `keys` rows, plus `offsetMs`, as Flink json writes TIMESTAMP(3). */
function time(i: number, keys: number, offsetMs = 0): string {
  return new Date(T0 + Math.floor((i * 60_000) / keys) + offsetMs).toISOString().replace('T', ' ').slice(0, 23);
}

const amount = (i: number) => ((i * 7919) % 100_000) / 100;

/** Tables with a watermark on their time column `ts`, one second late. */
const BID = `CREATE TABLE bid (bidtime TIMESTAMP(3), price DECIMAL(10, 2), supplier_id STRING,
  WATERMARK FOR bidtime AS bidtime - INTERVAL '1' SECOND) WITH (\${append});`;
const bid: TableRows = (i, keys, fields) =>
  json(fields, { bidtime: time(i, keys), price: amount(i), supplier_id: `s${i % keys}` });

const ORDERS_APPEND = `CREATE TABLE orders (order_id BIGINT, city STRING, amount DECIMAL(10, 2)) WITH (\${append});`;
const ORDERS_UPSERT = `CREATE TABLE orders (order_id BIGINT, city STRING, amount DECIMAL(10, 2),
  PRIMARY KEY (order_id) NOT ENFORCED) WITH (\${upsert});`;
const orders: TableRows = (i, keys, fields) => json(fields, { order_id: i, city: `c${i % keys}`, amount: amount(i) });
const TOP_N = `CREATE TABLE top_n (order_id BIGINT, city STRING, amount DECIMAL(10, 2), rn BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO top_n SELECT order_id, city, amount, rn FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY city ORDER BY amount DESC) AS rn FROM orders) WHERE rn <= 3;`;

const EVENTS = `CREATE TABLE events (event_id BIGINT, user_id STRING, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (\${append});
CREATE TABLE firsts (event_id BIGINT, user_id STRING, ts TIMESTAMP(3)) WITH ('connector' = 'blackhole');`;
const events: TableRows = (i, keys, fields) =>
  json(fields, { event_id: i, user_id: `u${i % keys}`, ts: time(i, keys) });
const dedup = (order: 'ASC' | 'DESC') => `${EVENTS}
INSERT INTO firsts SELECT event_id, user_id, ts FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ts ${order}) AS rn FROM events) WHERE rn = 1;`;

const WINDOW_SUMS = `CREATE TABLE sums (window_start TIMESTAMP(3), window_end TIMESTAMP(3), supplier_id STRING,
  price DECIMAL(38, 2), bids BIGINT) WITH ('connector' = 'blackhole');`;
const windowRank = (rownum: string, order: string) => `${BID}
CREATE TABLE ranked (bidtime TIMESTAMP(3), price DECIMAL(10, 2), supplier_id STRING,
  window_start TIMESTAMP(3), window_end TIMESTAMP(3)) WITH ('connector' = 'blackhole');
INSERT INTO ranked SELECT bidtime, price, supplier_id, window_start, window_end FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, supplier_id ORDER BY ${order}) AS rownum
  FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(bidtime), INTERVAL '1' MINUTE))) WHERE ${rownum};`;

const over = (frame: string) => `CREATE TABLE readings (sensor STRING, v INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (\${append});
CREATE TABLE totals (sensor STRING, ts TIMESTAMP(3), total INT, cnt BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO totals SELECT sensor, ts, SUM(v) OVER w, COUNT(*) OVER w
FROM readings WINDOW w AS (PARTITION BY sensor ORDER BY ts ${frame});`;
const readings: TableRows = (i, keys, fields) =>
  json(fields, { sensor: `s${i % keys}`, v: i % 100, ts: time(i, keys) });

const SETS = `CREATE TABLE a (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH (\${upsert});
CREATE TABLE b (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH (\${upsert});
CREATE TABLE vs (v STRING) WITH ('connector' = 'blackhole');`;
const setTables: Record<string, TableRows> = {
  a: (i, keys, fields) => json(fields, { id: i, v: `v${i % keys}` }),
  // every other value of a's
  b: (i, keys, fields) => json(fields, { id: i, v: `v${(2 * i) % keys}` }),
};

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'Top-N AppendFast (top 3 per city, 100k cities)',
    check: {
      node: 'Rank AppendFast',
      rows: 11212,
      why: "Flink's AppendOnlyTopNFunction with row numbers: a row entering at rank p of a city holding k rows emits -U/+U for ranks p..k (the rows it moves down) and +I for the last rank while k < 3. A city's 4 amounts ((i × 7919) % 100000 / 100, all distinct) arrive in order; summed over the 1000 cities that is 11212 (worked out by a 15-line replay of that rule)",
    },
    sql: `${ORDERS_APPEND}\n${TOP_N}`,
    timed: ['Rank'],
    tables: { orders },
  },
  {
    name: 'Top-N UpdateFast (top 3 urls per user by COUNT, 100k users)',
    check: {
      node: 'Rank UpdateFast',
      rows: 3000,
      why: 'each user clicks 4 urls once: the first 3 enter the top 3 (+I); the 4th ties and stays out',
    },
    sql: `CREATE TABLE clicks (user_id BIGINT, url STRING) WITH (\${append});
CREATE TABLE top_urls (user_id BIGINT, url STRING, cnt BIGINT, rn BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO top_urls SELECT user_id, url, cnt, rn FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY cnt DESC) AS rn
  FROM (SELECT user_id, url, COUNT(*) AS cnt FROM clicks GROUP BY user_id, url)) WHERE rn <= 3;`,
    timed: ['Rank'],
    tables: { clicks: (i, keys, fields) => json(fields, { user_id: i % keys, url: `/p${(i * 13) % 7}` }) },
  },
  {
    name: 'Top-N Retract (upsert orders, top 3 per city, 100k cities)',
    check: {
      node: 'Rank Retract',
      rows: 11212,
      why: "every order is new (+I only after ChangelogNormalize), and Flink's RetractableTopNFunction emits by the same rule as AppendFast's for an insert: the same 11212",
    },
    sql: `${ORDERS_UPSERT}\n${TOP_N}`,
    timed: ['Rank'],
    tables: { orders },
  },
  {
    name: 'deduplicate keep first (event time)',
    check: { node: 'Deduplicate', rows: 1000, why: 'one +I per key; later rows are later' },
    sql: dedup('ASC'),
    timed: ['Deduplicate'],
    tables: { events },
  },
  {
    name: 'deduplicate keep last (event time)',
    check: { node: 'Deduplicate', rows: 7000, why: '+I per key, then -U/+U for its 3 later rows' },
    sql: dedup('DESC'),
    timed: ['Deduplicate'],
    tables: { events },
  },
  {
    name: 'window aggregate TUMBLE 1 min (SUM, COUNT per supplier)',
    check: {
      node: 'WindowAggregate TUMBLE',
      rows: 3000,
      why: 'the watermark (last time - 1 s = 238.94 s) passes the first 3 one-minute windows, each with 1000 keys',
    },
    rows: SLOW_ROWS,
    sql: `${BID}\n${WINDOW_SUMS}
INSERT INTO sums SELECT window_start, window_end, supplier_id, SUM(price), COUNT(*)
FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(bidtime), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, supplier_id;`,
    timed: ['WindowAggregate'],
    tables: { bid },
  },
  {
    name: 'window aggregate SESSION gap 30 s (per supplier)',
    check: {
      node: 'WindowAggregate SESSION',
      rows: 3483,
      why: "a supplier's rows are 60 s apart, beyond the 30 s gap, so each row is a session of its own, [t, t + 30 s); Flink fires one when the watermark reaches its end - 1 ms: t + 29.999 s <= 238.94 s holds for rows 0..3482 (row i is at i × 60 ms)",
    },
    rows: SLOW_ROWS,
    sql: `${BID}\n${WINDOW_SUMS}
INSERT INTO sums SELECT window_start, window_end, supplier_id, SUM(price), COUNT(*)
FROM TABLE(SESSION(TABLE bid PARTITION BY supplier_id, DESCRIPTOR(bidtime), INTERVAL '30' SECOND))
GROUP BY window_start, window_end, supplier_id;`,
    timed: ['WindowAggregate'],
    tables: { bid },
  },
  {
    name: 'window Top-N (TUMBLE 1 min, top 3 per supplier)',
    check: { node: 'WindowRank TUMBLE', rows: 3000, why: 'one row per key in each of the 3 fired windows' },
    sql: windowRank('rownum <= 3', 'price DESC'),
    timed: ['WindowRank'],
    tables: { bid },
  },
  {
    name: 'window deduplicate (TUMBLE 1 min, last per supplier)',
    check: { node: 'WindowDeduplicate TUMBLE', rows: 3000, why: 'one row per key per fired window' },
    sql: windowRank('rownum <= 1', 'bidtime DESC'),
    timed: ['WindowDeduplicate'],
    tables: { bid },
  },
  {
    name: 'window join (TUMBLE 1 min, inner on key)',
    check: { node: 'WindowJoin', rows: 3000, why: 'one pair per key per fired window' },
    sql: `CREATE TABLE l (row_time TIMESTAMP(3), num INT, id STRING,
  WATERMARK FOR row_time AS row_time - INTERVAL '1' SECOND) WITH (\${append});
CREATE TABLE r (row_time TIMESTAMP(3), num INT, id STRING,
  WATERMARK FOR row_time AS row_time - INTERVAL '1' SECOND) WITH (\${append});
CREATE TABLE joined (l_id STRING, r_id STRING, window_start TIMESTAMP(3)) WITH ('connector' = 'blackhole');
INSERT INTO joined SELECT L.id, R.id, L.window_start
FROM (SELECT * FROM TABLE(TUMBLE(TABLE l, DESCRIPTOR(row_time), INTERVAL '1' MINUTE))) L
JOIN (SELECT * FROM TABLE(TUMBLE(TABLE r, DESCRIPTOR(row_time), INTERVAL '1' MINUTE))) R
ON L.num = R.num AND L.window_start = R.window_start AND L.window_end = R.window_end;`,
    timed: ['WindowJoin'],
    rows: 100_000,
    tables: {
      l: (i, keys, fields) => json(fields, { row_time: time(i, keys), num: i % keys, id: `l${i}` }),
      r: (i, keys, fields) => json(fields, { row_time: time(i, keys), num: i % keys, id: `r${i}` }),
    },
  },
  {
    name: 'OVER aggregate ROWS 2 PRECEDING (per sensor)',
    check: {
      node: 'OverAggregate',
      rows: 3983,
      why: 'rows at or before the watermark 238.94 s: row i is at i × 60 ms, so rows 0..3982',
    },
    rows: SLOW_ROWS,
    sql: over('ROWS BETWEEN 2 PRECEDING AND CURRENT ROW'),
    timed: ['OverAggregate'],
    tables: { readings },
  },
  {
    name: "OVER aggregate RANGE INTERVAL '90' SECOND PRECEDING (per sensor)",
    check: { node: 'OverAggregate', rows: 3983, why: 'as ROWS: rows at or before the watermark 238.94 s' },
    rows: SLOW_ROWS,
    sql: over("RANGE BETWEEN INTERVAL '90' SECOND PRECEDING AND CURRENT ROW"),
    timed: ['OverAggregate'],
    tables: { readings },
  },
  {
    name: 'interval join (orders ⋈ shipments within ±10 s)',
    check: {
      node: 'IntervalJoin',
      rows: 4000,
      why: 'shipment i is 1 s after order i; rows of a key are 60 s apart, beyond ±10 s',
    },
    sql: `CREATE TABLE o (id BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH (\${append});
CREATE TABLE s (sid BIGINT, oid BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH (\${append});
CREATE TABLE shipped (id BIGINT, sid BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO shipped SELECT o.id, s.sid FROM o JOIN s ON o.id = s.oid
  AND s.ts BETWEEN o.ts - INTERVAL '10' SECOND AND o.ts + INTERVAL '10' SECOND;`,
    timed: ['IntervalJoin'],
    rows: 100_000,
    tables: {
      o: (i, keys, fields) => json(fields, { id: i % keys, ts: time(i, keys) }),
      s: (i, keys, fields) => json(fields, { sid: i, oid: i % keys, ts: time(i, keys, 1000) }),
    },
  },
  {
    name: 'event-time temporal join (orders ⋈ rates FOR SYSTEM_TIME AS OF)',
    check: {
      node: 'TemporalJoin',
      rows: 3999,
      why: 'every order but the last, 1 ms after the rates watermark, is emitted with its rate',
    },
    sql: `CREATE TABLE orders (order_id BIGINT, currency STRING, amount BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts)
  WITH (\${append});
CREATE TABLE rates (currency STRING, rate BIGINT, ts TIMESTAMP(3), PRIMARY KEY (currency) NOT ENFORCED,
  WATERMARK FOR ts AS ts) WITH (\${upsert});
CREATE TABLE converted (order_id BIGINT, converted BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO converted SELECT o.order_id, o.amount * r.rate
FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.ts AS r ON o.currency = r.currency;`,
    timed: ['TemporalJoin'],
    rows: 100_000,
    tables: {
      orders: (i, keys, fields) =>
        json(fields, { order_id: i, currency: `c${i % keys}`, amount: i % 1000, ts: time(i, keys, 1) }),
      rates: (i, keys, fields) => json(fields, { currency: `c${i % keys}`, rate: 1 + (i % 50), ts: time(i, keys) }),
    },
  },
  {
    name: 'semi join (IN, upsert orders ⋈ vips)',
    check: { node: 'Join SEMI', rows: 2000, why: 'orders of the even users (the gold vips)' },
    sql: `CREATE TABLE orders (order_id BIGINT, user_id BIGINT, PRIMARY KEY (order_id) NOT ENFORCED) WITH (\${upsert});
CREATE TABLE vips (user_id BIGINT, tier STRING, PRIMARY KEY (user_id) NOT ENFORCED) WITH (\${upsert});
CREATE TABLE vip_orders (order_id BIGINT, user_id BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO vip_orders SELECT order_id, user_id FROM orders WHERE user_id IN (SELECT user_id FROM vips WHERE tier = 'gold');`,
    timed: ['Join'],
    rows: 100_000,
    tables: {
      orders: (i, keys, fields) => json(fields, { order_id: i, user_id: (i * 7) % keys }),
      vips: (i, _keys, fields) => json(fields, { user_id: i, tier: i % 2 === 0 ? 'gold' : 'silver' }),
    },
  },
  {
    name: 'anti join (NOT IN on NOT NULL keys, upsert orders ⋈ banned)',
    check: {
      node: 'Join ANTI',
      rows: 3000,
      why: 'the 2000 orders of odd users; the 500 of even users in the first batch, and their -D when banned',
    },
    sql: `CREATE TABLE orders (order_id BIGINT, user_id BIGINT NOT NULL, PRIMARY KEY (order_id) NOT ENFORCED) WITH (\${upsert});
CREATE TABLE banned (ban_id BIGINT, user_id BIGINT NOT NULL, PRIMARY KEY (ban_id) NOT ENFORCED) WITH (\${upsert});
CREATE TABLE allowed (order_id BIGINT, user_id BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO allowed SELECT order_id, user_id FROM orders WHERE user_id NOT IN (SELECT user_id FROM banned);`,
    timed: ['Join'],
    rows: 100_000,
    tables: {
      orders: (i, keys, fields) => json(fields, { order_id: i, user_id: (i * 7) % keys }),
      banned: (i, keys, fields) => json(fields, { ban_id: i, user_id: (2 * i) % keys }),
    },
  },
  {
    name: 'grouping sets (ROLLUP(city, category): Expand + GroupAggregate)',
    check: {
      node: 'Expand',
      rows: 14007,
      why: '(city, category) and (city): +I then -U/+U on each of 3 later batches, 1000 groups each; () once per batch',
    },
    rows: SLOW_ROWS,
    sql: `CREATE TABLE orders (order_id BIGINT, city STRING, category STRING, amount DECIMAL(10, 2),
  PRIMARY KEY (order_id) NOT ENFORCED) WITH (\${upsert});
CREATE TABLE rollup (city STRING, category STRING, n BIGINT, gmv DECIMAL(38, 2)) WITH ('connector' = 'blackhole');
INSERT INTO rollup SELECT city, category, COUNT(*), SUM(amount) FROM orders GROUP BY ROLLUP (city, category);`,
    timed: ['Expand', 'GroupAggregate'],
    tables: {
      orders: (i, keys, fields) =>
        json(fields, { order_id: i, city: `c${i % keys}`, category: `k${i % 5}`, amount: amount(i) }),
    },
  },
  {
    name: 'INTERSECT (semi join + GroupAggregate)',
    check: { node: 'Join SEMI', rows: 500, why: 'b holds the even values of a' },
    sql: `${SETS}\nINSERT INTO vs SELECT v FROM a INTERSECT SELECT v FROM b;`,
    timed: ['Join', 'GroupAggregate'],
    rows: 100_000,
    tables: setTables,
  },
  {
    name: 'EXCEPT (anti join + GroupAggregate)',
    check: {
      node: 'Join ANTI',
      rows: 1500,
      why: "the 500 odd values; the 500 even ones come and go (b's first batch)",
    },
    sql: `${SETS}\nINSERT INTO vs SELECT v FROM a EXCEPT SELECT v FROM b;`,
    timed: ['Join', 'GroupAggregate'],
    rows: 100_000,
    tables: setTables,
  },
];
