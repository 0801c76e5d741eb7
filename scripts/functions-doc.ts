import { writeFileSync } from 'node:fs';
import { renderFunctionsDoc } from './functions-doc/render.ts';

/** Writes docs/functions.md: each Flink 1.18 function with the status its example plans to. */
const target = new URL('../docs/functions.md', import.meta.url);
writeFileSync(target, renderFunctionsDoc());
console.log(`wrote ${target.pathname}`);
