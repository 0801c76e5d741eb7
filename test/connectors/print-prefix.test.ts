import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { printPrefix } from '../../src/connectors/print/factory.ts';

// Flink's PrintSinkOutputWriter.open: the identifier, `:` and subtaskIndex + 1 when parallelism > 1, then `> `.
describe("the print sink's prefix", () => {
  it('is empty for one task without an identifier, and the identifier alone for one task', () => {
    assert.equal(printPrefix(undefined, undefined), '');
    assert.equal(printPrefix(undefined, { index: 0, parallelism: 1 }), '');
    assert.equal(printPrefix('out', undefined), 'out> ');
  });
  it("carries the subtask's index + 1 with more than one subtask, after the identifier and a colon", () => {
    assert.equal(printPrefix(undefined, { index: 0, parallelism: 2 }), '1> ');
    assert.equal(printPrefix('out', { index: 2, parallelism: 3 }), 'out:3> ');
  });
});
