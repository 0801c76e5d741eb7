/**
 * The seeded random workload of the chaos suite: transactions of one to four statements on the
 * source tables (users, orders, products, order_items) with inserts, updates, primary-key changes
 * and deletes, and payments inserted. It keeps only the ids it may touch; the source tables
 * themselves are the truth the sinks are compared with, so a transaction whose commit a fault left
 * uncertain needs no bookkeeping.
 */
import pg from 'pg';

const CITIES = ['北京', '上海', '广州', '深圳', '杭州', '南京', '成都', '武汉', '西安', '苏州', '昆明', '大理', null];
const CATEGORIES = ['电子产品', '服装鞋帽', '图书', '家居用品', '食品饮料', '宠物用品'];
const PRODUCTS = ['iPhone 15', ' MacBook Pro 14 ', 'Nike Air Max 270', 'AirPods Pro', 'Kindle  ', '三体', '宜家台灯'];
const PAY_METHODS = ['支付宝', '微信支付', '银行卡'];
const NEXT_STATUS: Record<string, string> = { PENDING: 'SHIPPED', SHIPPED: 'COMPLETED', COMPLETED: 'COMPLETED' };

interface Statement {
  readonly text: string;
  readonly values: readonly unknown[];
}

/** A pool of ids to pick from; removal is by swap, so picks stay O(1). */
class Ids {
  private readonly items: number[] = [];
  add(id: number): void {
    this.items.push(id);
  }
  remove(id: number): void {
    const at = this.items.indexOf(id);
    if (at < 0) return;
    this.items[at] = this.items[this.items.length - 1] as number;
    this.items.pop();
  }
  pick(random: () => number): number | undefined {
    return this.items.length === 0 ? undefined : this.items[Math.floor(random() * this.items.length)];
  }
  get size(): number {
    return this.items.length;
  }
}

export class Workload {
  private readonly users = new Ids();
  private readonly orders = new Ids();
  private readonly statuses = new Map<number, string>();
  private readonly items = new Ids();
  private readonly products = new Ids();
  private nextUser = 10_001;
  private nextOrder = 100_001;
  private nextItem = 1;
  private nextProduct = 31;
  private nextPayment = 100_001;

  constructor(private readonly random: () => number) {
    for (let id = 1001; id <= 1005; id++) this.users.add(id);
    for (let id = 2001; id <= 2005; id++) this.orders.add(id);
    for (let id = 1; id <= 30; id++) this.products.add(id);
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  private chance(p: number): boolean {
    return this.random() < p;
  }

  /** The statements of the next transaction. */
  nextTransaction(): Statement[] {
    const count = 1 + Math.floor(this.random() * 4);
    const statements: Statement[] = [];
    for (let i = 0; i < count; i++) statements.push(this.nextStatement());
    return statements;
  }

  private nextStatement(): Statement {
    const r = this.random();
    if (r < 0.1 || this.users.size < 5) return this.newUser();
    if (r < 0.18) return this.changeUser();
    if (r < 0.2) return this.deleteOrRekeyUser();
    if (r < 0.36 || this.orders.size < 5) return this.newOrder();
    if (r < 0.5) return this.advanceOrder();
    if (r < 0.56) return this.changeOrderQuantity();
    if (r < 0.6) return this.deleteOrRekeyOrder();
    if (r < 0.76 || this.items.size < 5) return this.newItem();
    if (r < 0.86) return this.changeItem();
    if (r < 0.9) return this.deleteOrRekeyItem();
    if (r < 0.95) return this.changeProduct();
    if (r < 0.96) return this.newProduct();
    return this.newPayment();
  }

  private newUser(): Statement {
    const id = this.nextUser++;
    this.users.add(id);
    return {
      text: `INSERT INTO business.users (user_id, username, email, phone, city, register_time, updated_at)
             VALUES ($1, $2, $3, $4, $5, clock_timestamp() - make_interval(days => $6), clock_timestamp())`,
      values: [id, `用户${id}`, `u${id}@example.com`, `139${id}`, this.pick(CITIES), Math.floor(this.random() * 365)],
    };
  }

  private changeUser(): Statement {
    const id = this.users.pick(this.random) ?? 1001;
    return {
      text: `UPDATE business.users SET username = $2, city = $3, updated_at = clock_timestamp() WHERE user_id = $1`,
      values: [id, `用户${id}-${Math.floor(this.random() * 1000)}`, this.pick(CITIES)],
    };
  }

  private deleteOrRekeyUser(): Statement {
    const id = this.users.pick(this.random) ?? 1001;
    this.users.remove(id);
    if (this.chance(0.5)) return { text: 'DELETE FROM business.users WHERE user_id = $1', values: [id] };
    const to = this.nextUser++;
    this.users.add(to);
    return {
      text: 'UPDATE business.users SET user_id = $2, updated_at = clock_timestamp() WHERE user_id = $1',
      values: [id, to],
    };
  }

  private newOrder(): Statement {
    const id = this.nextOrder++;
    this.orders.add(id);
    this.statuses.set(id, 'PENDING');
    // Mostly a known user; sometimes one that does not exist yet (the join shows 'Unknown User' until it does).
    const userId = this.chance(0.9) ? (this.users.pick(this.random) ?? 1001) : this.nextUser + 1;
    const quantity = 1 + Math.floor(this.random() * 5);
    const unitCents = 100 + Math.floor(this.random() * 99_900);
    return {
      text: `INSERT INTO business.orders (order_id, user_id, product_name, product_category, quantity, unit_price,
               total_amount, order_status, order_time, updated_at)
             VALUES ($1, $2, $3, $4, $5::int, $6::numeric / 100, $5::int * $6::numeric / 100, 'PENDING',
               timestamp '2025-07-01' + make_interval(secs => $7), clock_timestamp())`,
      values: [
        id,
        userId,
        this.pick(PRODUCTS),
        this.pick(CATEGORIES),
        quantity,
        unitCents,
        Math.floor(this.random() * 600),
      ],
    };
  }

  private advanceOrder(): Statement {
    const id = this.orders.pick(this.random) ?? 2001;
    const current = this.statuses.get(id) ?? 'PENDING';
    const status = current === 'PENDING' && this.chance(0.15) ? 'CANCELLED' : (NEXT_STATUS[current] ?? current);
    this.statuses.set(id, status);
    return {
      text: 'UPDATE business.orders SET order_status = $2, updated_at = clock_timestamp() WHERE order_id = $1',
      values: [id, status],
    };
  }

  private changeOrderQuantity(): Statement {
    const id = this.orders.pick(this.random) ?? 2001;
    return {
      text: `UPDATE business.orders SET quantity = $2::int, total_amount = $2::int * unit_price, user_id = CASE WHEN $3 THEN $4 ELSE user_id END,
               updated_at = clock_timestamp() WHERE order_id = $1`,
      // Quantity 0 takes the order out of the DWD layer's filter (a delete downstream) until it changes again.
      values: [id, Math.floor(this.random() * 6), this.chance(0.2), this.users.pick(this.random) ?? 1001],
    };
  }

  private deleteOrRekeyOrder(): Statement {
    const id = this.orders.pick(this.random) ?? 2001;
    this.orders.remove(id);
    const status = this.statuses.get(id) ?? 'PENDING';
    this.statuses.delete(id);
    if (this.chance(0.6)) return { text: 'DELETE FROM business.orders WHERE order_id = $1', values: [id] };
    const to = this.nextOrder++;
    this.orders.add(to);
    this.statuses.set(to, status);
    return {
      text: 'UPDATE business.orders SET order_id = $2, updated_at = clock_timestamp() WHERE order_id = $1',
      values: [id, to],
    };
  }

  private newItem(): Statement {
    const id = this.nextItem++;
    this.items.add(id);
    return {
      text: 'INSERT INTO business.order_items (item_id, order_id, product_id, quantity) VALUES ($1, $2, $3, $4)',
      values: [
        id,
        this.orders.pick(this.random) ?? 2001,
        this.products.pick(this.random) ?? 1,
        1 + Math.floor(this.random() * 9),
      ],
    };
  }

  private changeItem(): Statement {
    const id = this.items.pick(this.random) ?? 1;
    if (this.chance(0.5))
      return {
        text: 'UPDATE business.order_items SET quantity = $2 WHERE item_id = $1',
        values: [id, 1 + Math.floor(this.random() * 9)],
      };
    return {
      text: 'UPDATE business.order_items SET product_id = $2, order_id = $3 WHERE item_id = $1',
      values: [id, this.products.pick(this.random) ?? 1, this.orders.pick(this.random) ?? 2001],
    };
  }

  private deleteOrRekeyItem(): Statement {
    const id = this.items.pick(this.random) ?? 1;
    this.items.remove(id);
    if (this.chance(0.5)) return { text: 'DELETE FROM business.order_items WHERE item_id = $1', values: [id] };
    const to = this.nextItem++;
    this.items.add(to);
    return { text: 'UPDATE business.order_items SET item_id = $2 WHERE item_id = $1', values: [id, to] };
  }

  private changeProduct(): Statement {
    const id = this.products.pick(this.random) ?? 1;
    if (this.chance(0.3))
      return {
        text: 'UPDATE business.products SET category = $2 WHERE product_id = $1',
        values: [id, this.pick(CATEGORIES)],
      };
    return {
      text: 'UPDATE business.products SET price = $2::numeric / 100 WHERE product_id = $1',
      values: [id, 100 + Math.floor(this.random() * 99_900)],
    };
  }

  /**
   * A payment of an order, paid now (6_shop_analytics.sql). Payments are facts, inserted and never
   * changed: the script reads their topic as an append-only stream.
   */
  private newPayment(): Statement {
    return {
      text: `INSERT INTO business.payments (payment_id, order_id, user_id, amount, pay_method, paid_at)
             VALUES ($1, $2, $3, $4::numeric / 100, $5, clock_timestamp())`,
      values: [
        this.nextPayment++,
        this.orders.pick(this.random) ?? 2001,
        this.users.pick(this.random) ?? 1001,
        100 + Math.floor(this.random() * 99_900),
        this.pick(PAY_METHODS),
      ],
    };
  }

  private newProduct(): Statement {
    const id = this.nextProduct++;
    this.products.add(id);
    return {
      text: 'INSERT INTO business.products (product_id, name, category, price) VALUES ($1, $2, $3, $4::numeric / 100)',
      values: [id, `product ${id}`, this.pick(CATEGORIES), 100 + Math.floor(this.random() * 99_900)],
    };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs the workload against the source database until stopped, one transaction after another with
 * a pause between them. A connection lost to a fault is made again; the transaction it was in may
 * or may not have committed, which the comparison with the source tables makes irrelevant.
 */
export class Writer {
  /** Row changes in transactions known to have committed. */
  changes = 0;
  transactions = 0;
  /** Transactions whose commit a fault made uncertain or refused. */
  interrupted = 0;
  /** Errors other than a lost or refused connection: a fault in the workload itself. */
  readonly errors: string[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly workload: Workload,
    private readonly pauseMs: number,
  ) {
    this.loop = this.run();
  }

  private async connect(): Promise<pg.Client> {
    for (;;) {
      const client = new pg.Client({ connectionString: this.url });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return client;
      } catch {
        await client.end().catch(() => undefined);
        if (!this.running) throw new Error('stopped');
        await sleep(200);
      }
    }
  }

  private async run(): Promise<void> {
    let client: pg.Client | undefined;
    while (this.running) {
      try {
        client ??= await this.connect();
      } catch {
        break;
      }
      const statements = this.workload.nextTransaction();
      try {
        await client.query('BEGIN');
        let rows = 0;
        for (const statement of statements)
          rows += (await client.query(statement.text, [...statement.values])).rowCount ?? 0;
        await client.query('COMMIT');
        this.changes += rows;
        this.transactions++;
      } catch (error) {
        this.interrupted++;
        const code = String((error as { code?: unknown }).code ?? '');
        const message = (error as Error).message;
        // 08: connection exceptions; 57P: the server shutting down; 40: a transaction rolled back;
        // no code: the client's own errors, of which only a lost connection is expected.
        const lost = code === '' && /connect|terminated|ECONN|EPIPE|not queryable|ended/i.test(message);
        if (!lost && !/^(08|57P|40)/.test(code)) this.errors.push(`${code || 'client'}: ${message}`);
        await client.end().catch(() => undefined);
        client = undefined;
      }
      await sleep(this.pauseMs);
    }
    await client?.end().catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
