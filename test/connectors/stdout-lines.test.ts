import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keepStdoutLine, STDOUT_LINES_KEPT, stdoutLines } from '../../src/connectors/stdout-lines.ts';

describe('the standard output kept per job', () => {
  it('gives the lines written since a count, none when nothing is new, and the kept ones when more were dropped', () => {
    const job = 'stdout-lines-test';
    keepStdoutLine(job, '+I[1]');
    keepStdoutLine(job, '+I[2]');
    assert.deepEqual(stdoutLines(job), { lines: ['+I[1]', '+I[2]'], total: 2 });
    assert.deepEqual(stdoutLines(job, 2), { lines: [], total: 2 });
    keepStdoutLine(job, '+I[3]');
    assert.deepEqual(stdoutLines(job, 2), { lines: ['+I[3]'], total: 3 });
    for (let i = 4; i <= STDOUT_LINES_KEPT + 10; i++) keepStdoutLine(job, `+I[${i}]`);
    const since = stdoutLines(job, 3);
    assert.equal(since.total, STDOUT_LINES_KEPT + 10);
    assert.equal(since.lines.length, STDOUT_LINES_KEPT);
    assert.equal(since.lines[0], '+I[11]');
    assert.deepEqual(stdoutLines('no-such-job', 0), { lines: [], total: 0 });
  });
});
