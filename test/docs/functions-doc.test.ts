import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { renderFunctionsDoc } from '../../scripts/functions-doc/render.ts';

it('docs/functions.md is what the function registries and the planner give now', () => {
  const written = readFileSync(new URL('../../docs/functions.md', import.meta.url), 'utf8');
  const expected = renderFunctionsDoc();
  if (written !== expected) {
    assert.fail(
      'docs/functions.md is out of date with the function registries: run `npm run docs:functions` and commit the result',
    );
  }
});
