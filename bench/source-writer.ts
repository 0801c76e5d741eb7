import pg from 'pg';
import { SOURCE_APPLICATION } from './pg-backends.ts';

/**
 * The source application of the pipeline benchmarks, in its own process as in a real deployment.
 * Prints the rate it reached as JSON.
 *
 * - `steady <changes/s> <seconds> <first id>`: orders inserted, shipped and completed at a steady
 *   rate, each change its own transaction, stamped with the time of its statement.
 * - `bulk <orders> <first id>`: orders inserted in transactions of 1,000 rows, as fast as the
 *   database takes them.
 */
const USAGE =
  'usage: source-writer.ts <connection url> steady <changes/s> <seconds> <first id> | bulk <orders> <first id>';
const [url, mode, ...args] = process.argv.slice(2);
const numbers = args.map(Number);
if (!url || numbers.some((n) => !Number.isSafeInteger(n) || n < 0)) fail();

async function connect(): Promise<pg.Client> {
  // Named, for the breakdown of PostgreSQL's CPU (pg-backends.ts).
  const client = new pg.Client({ connectionString: url, application_name: SOURCE_APPLICATION });
  await client.connect();
  return client;
}

function fail(): never {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

async function steady(rate: number, seconds: number, firstId: number): Promise<number> {
  const orders = Math.floor((rate * seconds) / 3);
  const writers = 8;
  const clients = await Promise.all(Array.from({ length: writers }, connect));
  const began = performance.now();
  // Each order's three steps go through one client, in order; orders are spread over the clients.
  await Promise.all(
    clients.map(async (client, w) => {
      for (let o = w; o < orders; o += writers) {
        for (let phase = 0; phase < 3; phase++) {
          const due = began + ((o * 3 + phase) / rate) * 1000;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          const id = firstId + o;
          if (phase === 0) {
            await client.query(
              `INSERT INTO business.orders (order_id, user_id, product_name, product_category, quantity, unit_price, total_amount, order_status, updated_at)
               VALUES ($1, ${1001 + (o % 5)}, 'Bench', '电子产品', 1, 10.00, 10.00, 'PENDING', clock_timestamp())`,
              [id],
            );
          } else {
            await client.query(
              'UPDATE business.orders SET order_status = $2, updated_at = clock_timestamp() WHERE order_id = $1',
              [id, phase === 1 ? 'SHIPPED' : 'COMPLETED'],
            );
          }
        }
      }
    }),
  );
  await Promise.all(clients.map((c) => c.end()));
  return (orders * 3) / ((performance.now() - began) / 1000);
}

async function bulk(orders: number, firstId: number): Promise<number> {
  const client = await connect();
  const began = performance.now();
  for (let first = firstId; first < firstId + orders; first += 1000) {
    await client.query(
      `INSERT INTO business.orders (order_id, user_id, product_name, product_category, quantity, unit_price, total_amount, order_status)
       SELECT g, 1001 + g % 5, 'Bulk', '图书', 1, 10.00, 10.00, 'PENDING' FROM generate_series($1::bigint, $2::bigint) g`,
      [first, Math.min(first + 999, firstId + orders - 1)],
    );
  }
  await client.end();
  return orders / ((performance.now() - began) / 1000);
}

const achieved =
  mode === 'steady' && numbers.length === 3
    ? await steady(numbers[0] as number, numbers[1] as number, numbers[2] as number)
    : mode === 'bulk' && numbers.length === 2
      ? await bulk(numbers[0] as number, numbers[1] as number)
      : fail();
process.stdout.write(`${JSON.stringify({ achieved })}\n`);
