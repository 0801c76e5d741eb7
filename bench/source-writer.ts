import pg from 'pg';

/**
 * The source application of the latency benchmark, in its own process as in a real deployment:
 * orders inserted, shipped and completed at a steady rate, each change its own transaction,
 * stamped with the time of its statement. Prints the rate it reached as JSON.
 *
 * Usage: source-writer.ts <connection url> <changes/s> <seconds> <first order id>
 */
const [url, rateText, secondsText, firstText] = process.argv.slice(2);
if (!url || !rateText || !secondsText || !firstText) {
  process.stderr.write('usage: source-writer.ts <connection url> <changes/s> <seconds> <first order id>\n');
  process.exit(2);
}
const rate = Number(rateText);
const firstId = Number(firstText);
const orders = Math.floor((rate * Number(secondsText)) / 3);
const writers = 8;
const clients = await Promise.all(
  Array.from({ length: writers }, async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return client;
  }),
);
const began = performance.now();
let done = 0;
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
        done++;
      }
    }
  }),
);
await Promise.all(clients.map((c) => c.end()));
process.stdout.write(`${JSON.stringify({ changes: done, achieved: done / ((performance.now() - began) / 1000) })}\n`);
