/**
 * `rivulet explain -f` and `rivulet sql -f` load a script's functions from the script's directory,
 * wherever the command and the engine were started: the CLI sends the directory with the script.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { type RestTestServer, startRestTestServer } from '../helpers/rest-server.ts';
import { waitFor } from '../helpers/wait.ts';

const TOKEN = 'udf-cli-test-token';
const SCRIPT = 'test/udf/fixtures/cli.sql';

describe('the rivulet commands with a script that declares functions', () => {
  let rest: RestTestServer;

  before(async () => {
    rest = await startRestTestServer(TOKEN);
  });
  after(async () => {
    await rest?.dispose();
  });

  it('explains it', async () => {
    const explained = await runCli(['explain', '-f', SCRIPT]);
    assert.equal(explained.code, 0, explained.stderr);
    assert.match(explained.stdout, /Calc\(select=\[shout\(name\) AS name\]\)/);
  });

  it('submits it, and the engine loads the module beside the script', async () => {
    const submitted = await runCli(['sql', '-f', SCRIPT, '--engine', rest.base], { RIVULET_REST_TOKEN: TOKEN });
    assert.equal(submitted.code, 0, submitted.stderr);
    await rest.log.produce([{ topic: 'events', key: null, value: Buffer.from('{"name":"hello"}') }]);
    await waitFor('the shouted event', async () => {
      await rest.log.ensureTopic('shouted');
      const reader = await rest.log.openReader('shouted', { kind: 'earliest' });
      const records = await reader.poll(10, 100);
      await reader.close();
      return records[0]?.value?.toString() === '{"name":"hello!"}' ? true : undefined;
    });
  });
});
