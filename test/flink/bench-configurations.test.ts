import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CONFIGURATIONS, type Configuration, scriptsFor } from '../../bench/flink.ts';
import { FILES } from '../../bench/pipeline.ts';
import { EXAMPLE_DIR } from '../../scripts/chaos/environment.ts';
import { parseScript } from '../../src/sql/parser.ts';
import { SqlSource } from '../../src/sql/source.ts';

/**
 * What each of Flink's jobs runs with, as its runner applies the statements (in order, a later SET
 * of a key replacing an earlier one, scripts/flink/FlinkScriptRunner.java): the settings in force
 * at the script's first INSERT, and each table's options.
 */
function effective(text: string) {
  const settings = new Map<string, string>();
  const tables = new Map<string, Map<string, string>>();
  let inserted = false;
  for (const statement of parseScript(new SqlSource('script.sql', text))) {
    if (statement.kind === 'set' && statement.key && !inserted) settings.set(statement.key, statement.value ?? '');
    else if (statement.kind === 'createTable')
      tables.set(statement.name.parts.join('.'), new Map(statement.options.map((o) => [o.key, o.value])));
    else if (statement.kind === 'insert' || statement.kind === 'statementSet') inserted = true;
  }
  return { settings, tables };
}

const CHECKPOINTS = 'file:///tmp/checkpoints';

const config = (label: string): Configuration => {
  const found = CONFIGURATIONS.find((c) => c.label === label);
  assert.ok(found, label);
  return found;
};

const tablesOf = (connector: string, label: string) =>
  scriptsFor(config(label), CHECKPOINTS).flatMap(({ text }) =>
    [...effective(text).tables].filter(([, options]) => options.get('connector') === connector),
  );

describe('npm run bench -- flink: the scripts of each configuration', () => {
  it('runs the four layers on Rivulet exactly as the example has them', () => {
    for (const label of ['rivulet, postgres log', 'rivulet, kafka log'])
      assert.deepEqual(
        scriptsFor(config(label), CHECKPOINTS).map(({ text }) => text),
        FILES.map((file) => readFileSync(join(EXAMPLE_DIR, file), 'utf8')),
      );
  });

  it("keeps the seed's 10 s checkpoints for Flink at its defaults, and gives the tuned Flink 1 s", () => {
    for (const { text } of scriptsFor(config('flink + kafka, defaults'), CHECKPOINTS)) {
      assert.equal(effective(text).settings.get('execution.checkpointing.interval'), '10s');
      assert.equal(effective(text).settings.get('table.exec.sink.upsert-materialize'), 'NONE');
      assert.equal(effective(text).settings.get('state.checkpoints.dir'), CHECKPOINTS);
    }
    for (const { text } of scriptsFor(config('flink + kafka, tuned'), CHECKPOINTS))
      assert.equal(effective(text).settings.get('execution.checkpointing.interval'), '1s');
  });

  it('puts the latency options on every postgres-cdc and jdbc table of the tuned Flink only', () => {
    const tuned = tablesOf('postgres-cdc', 'flink + kafka, tuned');
    assert.deepEqual(
      tuned.map(([name, options]) => [name, options.get('debezium.poll.interval.ms')]),
      [
        ['orders_source', '20'],
        ['users_source', '20'],
      ],
    );
    assert.deepEqual(
      tablesOf('jdbc', 'flink + kafka, tuned').map(([name, options]) => [
        name,
        options.get('sink.buffer-flush.max-rows'),
      ]),
      [
        ['orders_with_user_info_sink', '1'],
        ['order_status_history_sink', '1'],
      ],
    );
    for (const [, options] of [
      ...tablesOf('postgres-cdc', 'flink + kafka, defaults'),
      ...tablesOf('jdbc', 'flink + kafka, defaults'),
    ]) {
      assert.equal(options.has('debezium.poll.interval.ms'), false);
      assert.equal(options.has('sink.buffer-flush.max-rows'), false);
    }
  });
});
