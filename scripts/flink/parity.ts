/**
 * Whole-pipeline parity with Apache Flink: examples/ecommerce (all six scripts) on Flink 1.18 and
 * on Rivulet, reading the same source PostgreSQL (a replication slot each) under the chaos suite's
 * seeded workload, each writing to a sink database of its own; then every sink table of one is
 * compared with the other's, row for row, and each with the oracle over the source tables
 * (scripts/chaos/oracle.ts). Flink's ODS/DWD layers go through a real Kafka broker (the scripts'
 * upsert-kafka tables); Rivulet's through its own log in its embedded PostgreSQL.
 *
 * Then the operator fixtures (scripts/flink/fixture-check.ts): every case of test/exec/fixtures/*.txt
 * runs on Flink again and must give its recorded `flink changes:` and `flink:` blocks, and the
 * fixture test must pass (Rivulet's output against those blocks).
 *
 *   npm run parity [-- --seconds 30 --seed 1 --pause-ms 20 --flink-set KEY=VALUE…] [--examples-only]
 *   npm run parity -- --fixtures-only [FILE.txt…]     (the fixtures part only; all fixtures, or these)
 *
 * `--flink-set KEY=VALUE` (repeatable) puts `SET 'KEY' = 'VALUE';` into each of Flink's scripts only,
 * after the script's own SETs and the defaults of FLINK_DEFAULT_SETS (scripts/flink/ecommerce.ts).
 *
 * Exits 1 when a sink table of Rivulet differs from Flink's, or a fixture case's recorded result is
 * no longer Flink's or Rivulet's (each named by file:line).
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Consumer, stringDeserializers } from '@platformatic/kafka';
import pg from 'pg';
import { formatError, RivuletError } from '../../src/common/errors.ts';
import { compareTables, type Difference, diffRows } from '../chaos/compare.ts';
import { DatabaseServer, Engine, EXAMPLE_DIR } from '../chaos/environment.ts';
import { ANY, type CheckedTable, SEED_TABLES, SHOP_TABLES, WATERMARK_CUTOFF_SQL } from '../chaos/oracle.ts';
import { seededRandom } from '../chaos/seeded-random.ts';
import { Workload, Writer } from '../chaos/workload.ts';
import { type KafkaBroker, startKafkaBroker } from '../kafka/broker.ts';
import { createTopics, FLINK_DEFAULT_SETS, flinkSets, prepareSource, withSets } from './ecommerce.ts';
import { checkFixtures } from './fixture-check.ts';
import { ensureFlink, type FlinkCluster, jobStates, startFlink } from './run.ts';

const SCRIPTS = [
  '1_cdc_source_to_kafka.sql',
  '2_dwd_layer.sql',
  '3_dimension_join.sql',
  '4_sink_to_postgres.sql',
  '5_dws_ads.sql',
  '6_shop_analytics.sql',
];
/** The sink tables of the scripts, each with its oracle. */
const TABLES = [...SEED_TABLES, ...SHOP_TABLES];

/**
 * Columns whose value depends on when a change arrived rather than on the changes (besides the
 * processing-time columns, which the oracle's queries leave out): the user joined into an older
 * status of an order (see scripts/chaos/oracle.ts), and the user joined by the temporal join when
 * the user's version at that time is a deletion (src/cli/validate/shop-tables.ts). The oracle
 * still compares them wherever they do not depend on timing.
 */
const TIMING_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  'result.order_status_history': ['username'],
  'result.order_changes_with_user_city': ['username', 'city'],
};

/** Where the engines' logs of the last run are kept (git ignores it). */
const LOGS = join(fileURLToPath(new URL('../../', import.meta.url)), '.tmp', 'parity');
const FIRST_ROW = 'SELECT 1 FROM result.orders_with_user_info';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

type Row = Record<string, string | null>;

async function rows(url: string, sql: string, params: unknown[]): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function hasRow(url: string, sql: string, params: unknown[] = []): Promise<boolean> {
  return (await rows(url, `SELECT EXISTS (${sql}) AS found`, params))[0]?.found === (true as unknown);
}

/** Waits until the query finds a row in each sink; resolves with the milliseconds each took. */
async function untilBoth(urls: readonly string[], sql: string, timeoutMs: number, params: unknown[] = []) {
  const startedAt = performance.now();
  const took: (number | undefined)[] = urls.map(() => undefined);
  while (took.some((ms) => ms === undefined) && performance.now() - startedAt < timeoutMs) {
    for (const [i, url] of urls.entries())
      if (took[i] === undefined && (await hasRow(url, sql, params))) took[i] = performance.now() - startedAt;
    await sleep(100);
  }
  return took;
}

/** Rivulet's sink against Flink's: the same rows of the oracle's queries, timing-dependent columns aside. */
async function compareSinks(
  sourceUrl: string,
  flinkUrl: string,
  rivuletUrl: string,
  tables: readonly CheckedTable[],
): Promise<Difference[]> {
  const differences: Difference[] = [];
  for (const table of tables) {
    const params = table.sinkSql.includes('$1')
      ? [(await rows(sourceUrl, table.cutoffSql ?? WATERMARK_CUTOFF_SQL, []))[0]?.cutoff ?? null]
      : [];
    const timing = TIMING_COLUMNS[table.name] ?? [];
    const flink = (await rows(flinkUrl, table.sinkSql, params)).map((row) => {
      const masked = { ...row };
      for (const column of timing) masked[column] = ANY;
      return masked;
    });
    differences.push(diffRows(table, await rows(rivuletUrl, table.sinkSql, params), flink));
  }
  return differences;
}

const total = (differences: readonly Difference[]) =>
  differences.reduce((sum, d) => sum + d.missing + d.extra + d.wrong, 0);

function report(direct: readonly Difference[], rivulet: readonly Difference[], flink: readonly Difference[]): string {
  const cell = (d: Difference | undefined) =>
    d ? (d.missing + d.extra + d.wrong === 0 ? 'same' : `-${d.missing} +${d.extra} ≠${d.wrong}`) : '?';
  const header = ['sink table', 'flink rows', 'rivulet vs flink', 'rivulet vs oracle', 'flink vs oracle'];
  const lines = direct.map((d, i) => [d.table, String(d.rows), cell(d), cell(rivulet[i]), cell(flink[i])]);
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((line) => (line[c] ?? '').length)));
  const format = (cells: readonly string[]) => cells.map((text, c) => text.padEnd(widths[c] ?? 0)).join('  ');
  const examples = [...direct, ...rivulet, ...flink].flatMap((d, i) =>
    d.examples.map(
      (text) =>
        `  ${['rivulet vs flink', 'rivulet vs oracle', 'flink vs oracle'][Math.floor(i / direct.length)]}: ${text}`,
    ),
  );
  return [
    format(header),
    format(widths.map((w) => '-'.repeat(w))),
    ...lines.map(format),
    ...(examples.length > 0 ? ['', '(-missing +extra ≠wrong; a few of them:)', ...examples.slice(0, 20)] : []),
  ].join('\n');
}

/** Where the orders that only one engine's sink holds stand in the source: a hint at the cause. */
async function orderCauses(sourceUrl: string, flinkUrl: string, rivuletUrl: string): Promise<string> {
  const ids = async (url: string) =>
    new Set(
      (await rows(url, 'SELECT order_id::text AS id FROM result.orders_with_user_info', [])).map((r) => String(r.id)),
    );
  const [flinkIds, rivuletIds] = [await ids(flinkUrl), await ids(rivuletUrl)];
  const onlyIn = (a: Set<string>, b: Set<string>) => [...a].filter((id) => !b.has(id));
  const lines: string[] = [];
  for (const [side, only] of [
    ['only in Flink', onlyIn(flinkIds, rivuletIds)],
    ['only in Rivulet', onlyIn(rivuletIds, flinkIds)],
  ] as const) {
    if (only.length === 0) continue;
    const states = await rows(
      sourceUrl,
      `SELECT CASE WHEN o.order_id IS NULL THEN 'deleted or re-keyed at the source'
                   WHEN NOT (o.quantity > 0 AND o.total_amount >= 0) THEN 'filtered out by the DWD layer'
                   WHEN u.user_id IS NULL THEN 'its user does not exist'
                   ELSE 'present with its user' END AS state, count(*)::text AS n
         FROM unnest($1::bigint[]) AS k(order_id)
         LEFT JOIN business.orders o ON o.order_id = k.order_id
         LEFT JOIN business.users u ON u.user_id = o.user_id GROUP BY 1 ORDER BY 1`,
      [only],
    );
    lines.push(`orders ${side} (${only.length}): ${states.map((r) => `${r.n} ${r.state}`).join(', ')}`);
  }
  return lines.join('\n');
}

/**
 * The last record per order on each upsert topic of Flink's pipeline, for the orders only Flink's
 * sink holds: the first topic that still has the order's row (rather than a tombstone) after the
 * source deleted it is the layer that lost the delete.
 */
async function topicTrail(broker: KafkaBroker, ids: readonly string[]): Promise<string> {
  const wanted = new Set(ids);
  const last = new Map<string, Map<string, string>>();
  for (const topic of ['ods_orders', 'dwd_orders', 'result_orders_with_user_info']) {
    const consumer = new Consumer({
      clientId: 'parity-trail',
      groupId: `parity-trail-${topic}-${Date.now()}`,
      bootstrapBrokers: [broker.bootstrap],
      deserializers: stringDeserializers,
    });
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false, maxWaitTime: 200 });
    const perKey = new Map<string, string>();
    let idle: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      const done = () => resolve();
      idle = setTimeout(done, 5000);
      stream.on('data', (message) => {
        clearTimeout(idle);
        idle = setTimeout(done, 2000);
        const key = String(JSON.parse(String(message.key)).order_id);
        if (!wanted.has(key)) return;
        const value = message.value ? JSON.parse(String(message.value)) : undefined;
        perKey.set(key, value ? `row(q=${value.quantity}, amount=${value.total_amount})` : 'tombstone');
      });
    });
    await stream.close();
    await consumer.close(true);
    last.set(topic, perKey);
  }
  return ids
    .slice(0, 15)
    .map(
      (id) =>
        `  order ${id}: ${[...last].map(([topic, perKey]) => `${topic} ${perKey.get(id) ?? 'absent'}`).join(', ')}`,
    )
    .join('\n');
}

interface ExampleOptions {
  readonly seconds: string;
  readonly seed: string;
  readonly 'pause-ms': string;
  readonly 'settle-seconds': string;
  readonly 'flink-set': string[];
}

/** The fixtures part: Flink's results against the recorded blocks, Rivulet's through the fixture test. */
async function fixtures(names: readonly string[]): Promise<number> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log('operator fixtures: each case on Flink again, then the fixture test');
  const check = await checkFixtures(names, log);
  for (const line of check.flinkMismatches) log(`  ${line}`);
  for (const line of check.rivuletFailures) log(`  rivulet: ${line}`);
  const failed = check.flinkMismatches.length + check.rivuletFailures.length;
  log(
    failed === 0
      ? `operator fixtures: ${check.cases} cases, Flink still gives the recorded results and Rivulet's equal them`
      : `operator fixtures: Flink's result is no longer the recorded one in ${check.flinkMismatches.length} of ${check.cases} cases (re-record with npm run parity:fixtures and review the diff); Rivulet's differs from the recorded one in ${check.rivuletFailures.length}`,
  );
  return failed === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      seconds: { type: 'string', default: '30' },
      seed: { type: 'string', default: '1' },
      'pause-ms': { type: 'string', default: '20' },
      'settle-seconds': { type: 'string', default: '90' },
      'flink-set': { type: 'string', multiple: true, default: [] },
      'examples-only': { type: 'boolean', default: false },
      'fixtures-only': { type: 'boolean', default: false },
    },
  });
  if (values['examples-only'] && values['fixtures-only'])
    throw new RivuletError(
      'PARITY_NOTHING_TO_RUN',
      '--examples-only and --fixtures-only were both given, which leaves nothing to run',
      'give one of them, or neither to run both parts',
    );
  if (positionals.length > 0 && values['examples-only'])
    throw new RivuletError(
      'PARITY_FIXTURES_SKIPPED',
      `fixture files (${positionals.join(' ')}) were named with --examples-only, which runs no fixture`,
      'drop --examples-only, or the file names',
    );
  let code = 0;
  if (!values['fixtures-only']) code = await examples(values);
  if (!values['examples-only']) code = Math.max(code, await fixtures(positionals));
  return code;
}

/** The examples part: examples/ecommerce on both engines, sink against sink. */
async function examples(values: ExampleOptions): Promise<number> {
  const flinkSettings = [...FLINK_DEFAULT_SETS, ...values['flink-set']];
  flinkSets(flinkSettings); // a malformed --flink-set fails here, before anything starts
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const began = performance.now();
  let at = performance.now();
  ensureFlink();
  log(`Flink jars and runner ready in ${seconds(performance.now() - at)}`);

  const dir = mkdtempSync(join(tmpdir(), 'rivulet-parity-'));
  chmodSync(dir, 0o711); // as root, the PostgreSQL servers run as another OS user that must pass through
  for (const side of ['flink', 'rivulet']) {
    mkdirSync(join(dir, side));
    chmodSync(join(dir, side), 0o711);
  }
  let source: DatabaseServer | undefined;
  let flinkSink: DatabaseServer | undefined;
  let rivuletSink: DatabaseServer | undefined;
  let broker: KafkaBroker | undefined;
  let flink: FlinkCluster | undefined;
  let rivulet: Engine | undefined;
  let writer: Writer | undefined;
  try {
    at = performance.now();
    [source, flinkSink, rivuletSink, broker] = await Promise.all([
      DatabaseServer.source(dir),
      DatabaseServer.sink(join(dir, 'flink')),
      DatabaseServer.sink(join(dir, 'rivulet')),
      startKafkaBroker(),
    ]);
    await createTopics(broker);
    await prepareSource(source.url());
    log(`source, two sinks and a Kafka broker up in ${seconds(performance.now() - at)}`);
    const variables = (sink: DatabaseServer) => ({
      SOURCE_HOST: '127.0.0.1',
      SOURCE_PORT: `${source?.port}`,
      SOURCE_PASSWORD: 'unused',
      SINK_HOST: '127.0.0.1',
      SINK_PORT: `${sink.port}`,
      SINK_PASSWORD: 'unused',
      KAFKA_SERVERS: broker?.bootstrap ?? '',
    });
    const scripts = SCRIPTS.map((name) => ({ name, text: readFileSync(join(EXAMPLE_DIR, name), 'utf8') }));

    at = performance.now();
    rivulet = new Engine(join(dir, 'rivulet'), []);
    await rivulet.start();
    log(`Rivulet: up in ${seconds(performance.now() - at)}`);
    at = performance.now();
    for (const { name, text } of scripts)
      await rivulet.submit(`examples/ecommerce/${name}`, text, variables(rivuletSink));
    const [rivuletFirst] = await untilBoth([rivuletSink.url()], FIRST_ROW, 180_000);
    log(
      `Rivulet: ${SCRIPTS.length} scripts submitted, first row in the sink ${rivuletFirst === undefined ? 'never' : seconds(performance.now() - at)} after the first submission`,
    );

    // The same scripts; only the replication slots are renamed, since both read one source database,
    // and the Flink-only SETs (FLINK_DEFAULT_SETS, then `--flink-set`) follow each script's own.
    const flinkScripts = scripts.map(({ name, text }) => ({
      name,
      text: withSets(text.replaceAll("'slot.name' = 'flink_slot_", "'slot.name' = 'parity_flink_slot_"), flinkSettings),
    }));
    log(`Flink only, after each script's own SETs:\n${flinkSets(flinkSettings).trim()}`);
    at = performance.now();
    flink = await startFlink({
      scripts: flinkScripts,
      variables: new Map(Object.entries(variables(flinkSink))),
    });
    const [flinkFirst] = await untilBoth([flinkSink.url()], FIRST_ROW, 180_000);
    log(
      `Flink: cluster up in ${seconds(flink.startupMs)}, ${flink.jobs.length} jobs submitted after ${seconds(flink.submittedMs)}, first row in the sink ${flinkFirst === undefined ? 'never' : seconds(performance.now() - at)} after the JVM's start (Web UI ${flink.restUrl})`,
    );
    const sinks = [flinkSink.url(), rivuletSink.url()];

    const seed = Number(values.seed);
    const workloadMs = Number(values.seconds) * 1000;
    writer = new Writer(source.url(), new Workload(seededRandom(seed ^ 0x5bd1e995)), Number(values['pause-ms']));
    await sleep(workloadMs);
    await writer.stop();
    log(
      `workload (seed ${seed}): ${writer.changes} row changes in ${writer.transactions} transactions over ${seconds(workloadMs)}`,
    );
    if (writer.errors.length > 0) log(`workload errors: ${writer.errors.slice(0, 3).join('; ')}`);

    // A last change 70 s ahead of the clock: its watermark closes every window of the workload.
    const marker = `parity-end-${seed}`;
    await rows(
      source.url(),
      `UPDATE business.orders SET product_name = $1, updated_at = clock_timestamp() + interval '70 seconds'
        WHERE order_id = 1 RETURNING order_id`,
      [marker],
    );
    at = performance.now();
    const [flinkLast, rivuletLast] = await untilBoth(
      sinks,
      'SELECT 1 FROM result.orders_with_user_info WHERE order_id = 1 AND product_name = $1',
      Number(values['settle-seconds']) * 1000,
      [marker],
    );
    log(
      `the last change reached the sinks after: Flink ${flinkLast === undefined ? 'never' : seconds(flinkLast)}, Rivulet ${rivuletLast === undefined ? 'never' : seconds(rivuletLast)}`,
    );

    // Caught up: the comparison holds twice in a row, or time runs out and what differs is reported.
    const deadline = performance.now() + Number(values['settle-seconds']) * 1000;
    let direct: Difference[] = [];
    for (let clean = 0; clean < 2 && performance.now() < deadline; ) {
      direct = await compareSinks(source.url(), flinkSink.url(), rivuletSink.url(), TABLES);
      clean = total(direct) === 0 ? clean + 1 : 0;
      await sleep(2000);
    }
    const [rivuletOracle, flinkOracle] = await Promise.all([
      compareTables(source.url(), rivuletSink.url(), TABLES),
      compareTables(source.url(), flinkSink.url(), TABLES),
    ]);
    log(`\n${report(direct, rivuletOracle, flinkOracle)}\n`);
    const orders = direct.find((d) => d.table === 'result.orders_with_user_info');
    if (orders && orders.missing + orders.extra > 0) {
      log(await orderCauses(source.url(), flinkSink.url(), rivuletSink.url()));
      const ids = async (url: string) =>
        (await rows(url, 'SELECT order_id::text AS id FROM result.orders_with_user_info', [])).map((r) => String(r.id));
      const rivuletIds = new Set(await ids(rivuletSink.url()));
      const onlyFlink = (await ids(flinkSink.url())).filter((id) => !rivuletIds.has(id));
      log(
        `last record per key on Flink's topics, orders only in Flink's sink:\n${await topicTrail(broker, onlyFlink)}`,
      );
    }

    const flinkStates = await jobStates(flink.restUrl);
    const rivuletStates = await rivulet.jobs();
    log(
      `jobs running at the end: Flink ${[...flinkStates.values()].filter((s) => s === 'RUNNING').length}/${flink.jobs.length}, Rivulet ${rivuletStates.filter((j) => j.state === 'RUNNING').length}/${rivuletStates.length}`,
    );
    log(`end to end: ${seconds(performance.now() - began)}; the engines' logs are in ${LOGS}`);
    return total(direct) === 0 ? 0 : 1;
  } finally {
    // The engines' logs outlive the run, for a look at what differed.
    mkdirSync(LOGS, { recursive: true });
    if (flink) copyFileSync(flink.logFile, join(LOGS, 'flink.log'));
    if (rivulet) writeFileSync(join(LOGS, 'rivulet.log'), rivulet.tail(100_000));
    await writer?.stop().catch(() => undefined);
    await flink?.stop().catch(() => undefined);
    await rivulet?.stop().catch(() => undefined);
    await broker?.stop().catch(() => undefined);
    await Promise.all([source, flinkSink, rivuletSink].map((server) => server?.stop().catch(() => undefined)));
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(`${formatError(error)}\n`);
  return 1;
});
