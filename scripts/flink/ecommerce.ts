/**
 * examples/ecommerce on Apache Flink beside Rivulet, as `npm run parity` and `npm run bench -- flink`
 * run it: the topics Flink's upsert-kafka tables need, the source tables' replica identity, and the
 * Flink-only SET statements and table options put into the same scripts.
 */
import { Admin } from '@platformatic/kafka';
import pg from 'pg';
import type { KafkaBroker } from '../kafka/broker.ts';

/** The Kafka topics of the scripts' upsert-kafka and kafka tables. */
export const TOPICS = ['ods_orders', 'ods_users', 'dwd_orders', 'result_orders_with_user_info', 'ods_payments'];

/**
 * SET before each of Flink's scripts, ahead of any other Flink-only SET (a later SET of the same
 * key wins). The join script's `join_time` is CURRENT_TIMESTAMP, so a retraction is not equal to
 * the row it retracts, and Flink's SinkUpsertMaterializer (added under the default AUTO) drops it:
 * deleted and older versions of orders stay in Flink's sink (docs/flink.md). Every script runs at
 * parallelism 1, where the materializer has no disorder to repair.
 */
export const FLINK_DEFAULT_SETS = ['table.exec.sink.upsert-materialize=NONE'];

export async function createTopics(broker: KafkaBroker): Promise<void> {
  const admin = new Admin({ clientId: 'rivulet-flink', bootstrapBrokers: [broker.bootstrap] });
  try {
    await admin.createTopics({ topics: TOPICS, partitions: 1, replicas: 1 });
  } finally {
    await admin.close();
  }
}

/**
 * Flink CDC fails an update or delete without its old row (changelog-mode 'all', the default);
 * Rivulet takes it as an upsert by key. With the old rows logged, both run the scripts as written.
 * Also makes Debezium's publication (see below).
 */
export async function prepareSource(sourceUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: sourceUrl });
  await client.connect();
  try {
    await client.query('ALTER TABLE business.orders REPLICA IDENTITY FULL');
    await client.query('ALTER TABLE business.users REPLICA IDENTITY FULL');
    await client.query('ALTER TABLE business.payments REPLICA IDENTITY FULL');
    // Flink CDC's sources of one job each create Debezium's publication when it is missing, and the
    // second to try fails ("already exists") and restarts its job: made beforehand, as a Flink CDC
    // user who met that would, each finds it.
    const { rowCount } = await client.query("SELECT 1 FROM pg_publication WHERE pubname = 'dbz_publication'");
    if (rowCount === 0) await client.query('CREATE PUBLICATION dbz_publication FOR ALL TABLES');
  } finally {
    await client.end();
  }
}

/** `KEY=VALUE` settings as SET statements. */
export function flinkSets(settings: readonly string[]): string {
  return settings
    .map((setting) => {
      const at = setting.indexOf('=');
      if (at <= 0) throw new Error(`a Flink setting takes KEY=VALUE, got '${setting}'`);
      const quote = (text: string) => `'${text.trim().replaceAll("'", "''")}'`;
      return `SET ${quote(setting.slice(0, at))} = ${quote(setting.slice(at + 1))};\n`;
    })
    .join('');
}

/**
 * The script with the SET statements of `settings` after its own leading SETs (before its first
 * other statement), so that they override the script's own values of the same keys.
 */
export function withSets(text: string, settings: readonly string[]): string {
  if (settings.length === 0) return text;
  const lines = text.split('\n');
  const first = lines.findIndex((line) => !/^\s*($|--|SET\s)/i.test(line));
  const at = first < 0 ? lines.length : first;
  return [...lines.slice(0, at), flinkSets(settings).trimEnd(), '', ...lines.slice(at)].join('\n');
}

/** The script with `options` added to the WITH clause of every table of `connector`. */
export function withTableOptions(text: string, connector: string, options: Readonly<Record<string, string>>): string {
  const added = Object.entries(options)
    .map(([key, value]) => `\n    '${key}' = '${value}',`)
    .join('');
  return text.replaceAll(`'connector' = '${connector}',`, `'connector' = '${connector}',${added}`);
}
