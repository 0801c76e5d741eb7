import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { evaluate } from './evaluate.ts';

/** Cases from cases/*.txt: `expression ==> expected :: type`, grouped by `## heading` lines. */
function loadCases(): {
  file: string;
  group: string;
  zone: string;
  line: number;
  expression: string;
  expected: string;
  type?: string;
}[] {
  const cases = [];
  const dir = new URL('./cases/', import.meta.url);
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.txt'))
    .sort()) {
    let group = file;
    let zone = 'UTC';
    const lines = readFileSync(new URL(file, dir), 'utf8').split('\n');
    for (const [index, raw] of lines.entries()) {
      const line = raw.trim();
      if (line.startsWith('## ')) group = line.slice(3);
      else if (line.startsWith('@zone ')) zone = line.slice(6).trim();
      else if (line && !line.startsWith('#')) {
        const [expression = '', rest = ''] = line.split(' ==> ');
        const [expected = '', type] = rest.split(' :: ');
        cases.push({ file, group, zone, line: index + 1, expression, expected, ...(type ? { type } : {}) });
      }
    }
  }
  return cases;
}

const cases = loadCases();
const groups = [...new Set(cases.map((c) => c.group))];

for (const group of groups) {
  describe(group, () => {
    for (const c of cases.filter((x) => x.group === group)) {
      it(`${c.expression} (${c.file}:${c.line})`, () => {
        const outcome = evaluate(c.expression, c.zone);
        assert.equal(outcome.value, c.expected);
        if (c.type !== undefined) assert.equal(outcome.type, c.type);
      });
    }
  });
}
