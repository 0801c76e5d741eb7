import { type JsonNode, JsonNumber, type JsonObject } from './json-tree.ts';

/**
 * SQL/JSON paths as Flink evaluates them (Calcite over Jayway JsonPath): an optional mode, `lax` or
 * `strict` (the default), then `$` and steps: `.name`, `['name']`, `[n]` (from 0; negative from the
 * end), `[n, m]`, `[a:b]`, `[*]`, `.*`, `..name`. A path with a wildcard, a list, a slice or a deep
 * scan is indefinite: it gives an array of its matches. A definite path gives its one match; when
 * there is none, strict mode is an error and lax mode an empty result.
 */
export interface JsonPath {
  readonly mode: 'lax' | 'strict';
  readonly steps: readonly Step[];
  readonly definite: boolean;
}

type Step =
  | { readonly kind: 'property'; readonly name: string }
  | { readonly kind: 'index'; readonly indexes: readonly number[] }
  | { readonly kind: 'slice'; readonly from?: number; readonly to?: number }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'scan'; readonly name: string };

export class JsonPathError extends Error {}

const MODE = /^\s*(strict|lax)\s+(.+)$/is;

export function parseJsonPath(text: string): JsonPath {
  const match = MODE.exec(text);
  const mode = (match?.[1]?.toLowerCase() ?? 'strict') as JsonPath['mode'];
  const spec = (match?.[2] ?? text).trim();
  if (!spec.startsWith('$')) throw new JsonPathError(`a JSON path starts with '$' (after lax or strict): '${text}'`);
  const steps: Step[] = [];
  let i = 1;
  const fail = (what: string): never => {
    throw new JsonPathError(`${what} at position ${i} of the JSON path '${spec}'`);
  };
  const name = () => {
    const start = i;
    while (i < spec.length && !'.[ '.includes(spec[i] as string)) i++;
    if (i === start) fail('expected a property name');
    return spec.slice(start, i);
  };
  while (i < spec.length) {
    if (spec.startsWith('..', i)) {
      i += 2;
      steps.push({ kind: 'scan', name: name() });
    } else if (spec.startsWith('.*', i)) {
      i += 2;
      steps.push({ kind: 'wildcard' });
    } else if (spec.startsWith('.[', i)) {
      i += 1;
    } else if (spec[i] === '.') {
      i += 1;
      steps.push({ kind: 'property', name: name() });
    } else if (spec[i] === '[') {
      const end = bracketEnd(spec, i);
      if (end < 0) fail("expected ']'");
      steps.push(bracket(spec.slice(i + 1, end).trim(), fail));
      i = end + 1;
    } else {
      fail(`unexpected '${spec[i]}'`);
    }
  }
  const definite = steps.every(
    (step) => step.kind === 'property' || (step.kind === 'index' && step.indexes.length === 1),
  );
  return { mode, steps, definite };
}

function bracketEnd(spec: string, start: number): number {
  let quote = '';
  for (let i = start + 1; i < spec.length; i++) {
    const c = spec[i] as string;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ']') return i;
  }
  return -1;
}

function bracket(inner: string, fail: (what: string) => never): Step {
  if (inner === '*') return { kind: 'wildcard' };
  const quoted = /^(['"])(.*)\1$/s.exec(inner);
  if (quoted) {
    if (/['"]\s*,\s*['"]/.test(inner)) fail('several property names in one step are not supported');
    return { kind: 'property', name: quoted[2] as string };
  }
  if (inner.startsWith('?')) fail('JSON path filters ([?(...)]) are not supported');
  const slice = /^(-?\d+)?\s*:\s*(-?\d+)?$/.exec(inner);
  if (slice) {
    return {
      kind: 'slice',
      ...(slice[1] !== undefined ? { from: Number(slice[1]) } : {}),
      ...(slice[2] !== undefined ? { to: Number(slice[2]) } : {}),
    };
  }
  const indexes = inner.split(',').map((part) => part.trim());
  if (indexes.some((part) => !/^-?\d+$/.test(part))) fail(`'[${inner}]' is not an index, a name or '*'`);
  return { kind: 'index', indexes: indexes.map(Number) };
}

/** What a path finds: its value (an array of the matches for an indefinite path), or nothing. */
export type PathResult = { readonly found: true; readonly value: JsonNode } | { readonly found: false };

const NOT_FOUND: PathResult = { found: false };

export function evaluateJsonPath(path: JsonPath, root: JsonNode): PathResult {
  let current: JsonNode[] = [root];
  for (const step of path.steps) {
    const next: JsonNode[] = [];
    for (const node of current) apply(step, node, next);
    current = next;
  }
  if (!path.definite) return { found: true, value: current };
  return current.length === 1 ? { found: true, value: current[0] as JsonNode } : NOT_FOUND;
}

function isObject(node: JsonNode): node is JsonObject {
  return node instanceof Map;
}

function apply(step: Step, node: JsonNode, out: JsonNode[]): void {
  switch (step.kind) {
    case 'property':
      if (isObject(node) && node.has(step.name)) out.push(node.get(step.name) as JsonNode);
      return;
    case 'index':
      if (!Array.isArray(node)) return;
      for (const index of step.indexes) {
        const at = index < 0 ? node.length + index : index;
        if (at >= 0 && at < node.length) out.push(node[at] as JsonNode);
      }
      return;
    case 'slice': {
      if (!Array.isArray(node)) return;
      const from = step.from === undefined ? 0 : step.from < 0 ? Math.max(0, node.length + step.from) : step.from;
      const to = step.to === undefined ? node.length : step.to < 0 ? node.length + step.to : step.to;
      out.push(...node.slice(from, Math.max(from, to)));
      return;
    }
    case 'wildcard':
      if (Array.isArray(node)) out.push(...node);
      else if (isObject(node)) out.push(...node.values());
      return;
    case 'scan':
      scan(step.name, node, out);
      return;
  }
}

function scan(name: string, node: JsonNode, out: JsonNode[]): void {
  if (node === null || typeof node !== 'object' || node instanceof JsonNumber) return;
  if (isObject(node)) {
    if (node.has(name)) out.push(node.get(name) as JsonNode);
    for (const child of node.values()) scan(name, child, out);
  } else {
    for (const child of node) scan(name, child, out);
  }
}
