import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Compares `actual` with the golden file, or rewrites the file when UPDATE_GOLDEN=1 (review the
 * diff with git before committing it).
 */
export function assertGolden(file: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `golden file ${file} is missing; run with UPDATE_GOLDEN=1 to create it`);
  const expected = readFileSync(file, 'utf8');
  assert.equal(actual, expected, `${file} differs (UPDATE_GOLDEN=1 rewrites it)`);
}

/** A golden input split into cases: the text before the first `-- case:` line is shared by all. */
export function splitCases(text: string): { prelude: string; cases: { name: string; sql: string; line: number }[] } {
  const lines = text.split('\n');
  const cases: { name: string; sql: string; line: number }[] = [];
  let prelude: string[] | undefined = [];
  let current: { name: string; lines: string[]; line: number } | undefined;
  lines.forEach((line, i) => {
    const match = /^-- case: (.+)$/.exec(line);
    if (match) {
      if (current) cases.push({ name: current.name, sql: current.lines.join('\n'), line: current.line });
      prelude = prelude ?? [];
      current = { name: (match[1] as string).trim(), lines: [], line: i + 1 };
      return;
    }
    if (current) current.lines.push(line);
    else prelude?.push(line);
  });
  if (current) cases.push({ name: current.name, sql: current.lines.join('\n'), line: current.line });
  return { prelude: prelude.join('\n'), cases };
}
