import type pg from 'pg';
import { until } from './support.ts';

/**
 * The test orders of `validate` and `stress`: numbered above every order the databases hold, and
 * removed again from business.orders (the delete then flows through the pipeline) and from the
 * append-only result.order_status_history.
 */

/** The statuses a test order goes through, in order. */
export const STATUSES = ['PENDING', 'SHIPPED', 'COMPLETED'] as const;

/** A client or a pool. */
type Database = Pick<pg.Pool, 'query'>;

/** The first order id above every order in business.orders and in both sink tables. */
export async function firstFreeOrderId(source: Database, sink: Database): Promise<number> {
  const maxIn = async (db: Database, table: string): Promise<number> =>
    Number((await db.query<{ n: string | null }>(`SELECT max(order_id) AS n FROM ${table}`)).rows[0]?.n ?? 0);
  return (
    Math.max(
      await maxIn(source, 'business.orders'),
      await maxIn(sink, 'result.orders_with_user_info'),
      await maxIn(sink, 'result.order_status_history'),
    ) + 1
  );
}

/** Deletes the orders from business.orders; how many rows went. */
export async function deleteOrders(source: Database, ids: readonly number[]): Promise<number> {
  return (await source.query('DELETE FROM business.orders WHERE order_id = ANY($1::bigint[])', [ids])).rowCount ?? 0;
}

/** How many of the orders result.orders_with_user_info holds. */
export async function sinkRowCount(sink: Database, ids: readonly number[]): Promise<number> {
  return Number(
    (
      await sink.query<{ n: string }>(
        'SELECT count(*) AS n FROM result.orders_with_user_info WHERE order_id = ANY($1::bigint[])',
        [ids],
      )
    ).rows[0]?.n ?? 0,
  );
}

/** Waits up to `timeoutMs` for the orders' deletes to reach result.orders_with_user_info; how many rows are left. */
export async function sinkRowsLeft(
  sink: Database,
  ids: readonly number[],
  timeoutMs: number,
  pollMs: number,
): Promise<number> {
  let left = 0;
  await until(timeoutMs, pollMs, async () => {
    left = await sinkRowCount(sink, ids);
    return left === 0 ? true : undefined;
  });
  return left;
}

/** Deletes the orders' rows from result.order_status_history, which the pipeline only appends to; how many went. */
export async function deleteHistory(sink: Database, ids: readonly number[]): Promise<number> {
  return (
    (await sink.query('DELETE FROM result.order_status_history WHERE order_id = ANY($1::bigint[])', [ids])).rowCount ??
    0
  );
}
