import { type DataType, describeType, isCharacterString, T, withNullable } from '../../types/data-type.ts';
import type { BindContext, BoundCall, BoundExpr, ScalarFunction } from '../bound.ts';
import { compileCast, toText } from '../cast.ts';
import type { EvalEnv } from '../eval-env.ts';
import { evaluateJsonPath, type JsonPath, JsonPathError, parseJsonPath } from '../json/json-path.ts';
import { jsonArgumentText, jsonValueProblem } from '../json/json-text.ts';
import { isScalar, type JsonNode, parseJsonTree, writeJsonTree } from '../json/json-tree.ts';
import { EvaluationError, type Evaluator, type Row, type Value } from '../value.ts';

/**
 * Flink's JSON functions (IS JSON, JSON_EXISTS, JSON_VALUE, JSON_QUERY, JSON_STRING, JSON_OBJECT,
 * JSON_ARRAY) as Calcite's SqlJsonUtils defines them. The parser (src/sql/parse-json.ts) passes
 * the clauses (ON EMPTY, ON ERROR, WRAPPER, ON NULL, IS JSON's type) as string literal arguments.
 */

/** The text of the clause argument `i`, a string literal the parser wrote. */
function clause(call: BoundCall | readonly BoundExpr[], i: number): string {
  const args = 'args' in call ? call.args : call;
  const arg = args[i];
  return arg?.kind === 'literal' ? String(arg.value) : '';
}

function stringArg(name: string, arg: BoundExpr | undefined, what: string, ctx: BindContext): void {
  if (!arg || (arg.type.kind !== 'NULL' && !isCharacterString(arg.type)))
    ctx.fail(`the ${what} of ${name} must be a character string, got ${arg ? describeType(arg.type) : 'nothing'}`);
}

/** Checks the JSON and path arguments; a literal path is checked while planning, others when the record comes. */
function bindPathArgs(name: string, args: readonly BoundExpr[], ctx: BindContext): void {
  stringArg(name, args[0], 'JSON', ctx);
  stringArg(name, args[1], 'path', ctx);
  checkPath(name, args[1] as BoundExpr, ctx);
}

/** A literal path is checked while planning; others when the record comes. */
function checkPath(name: string, path: BoundExpr, ctx: BindContext): void {
  if (path.kind !== 'literal' || path.value === null) return;
  try {
    parseJsonPath(String(path.value));
  } catch (error) {
    if (error instanceof JsonPathError) ctx.fail(`${name}: ${error.message}`, "e.g. '$.a.b', 'lax $.items[0]'");
    throw error;
  }
}

/** What reading a document at a path gives: an error, nothing (lax), or a node. */
type Lookup =
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'value'; readonly node: JsonNode };

/**
 * The last document parsed, kept: the JSON_VALUEs of one SELECT over one column read the same text
 * one after the other. Nodes are never changed once parsed.
 */
let lastDocument: { text: string; root: JsonNode } | undefined;

function parsedDocument(text: string): JsonNode {
  if (lastDocument?.text !== text) lastDocument = { text, root: parseJsonTree(text) };
  return lastDocument.root;
}

/** What the path (argument 2) finds in the JSON (argument 1) of a row; null when either is NULL. */
function pathLookup(args: readonly Evaluator[]): (row: Row) => (Lookup & { mode?: JsonPath['mode'] }) | null {
  const [jsonArg, pathArg] = args as [Evaluator, Evaluator];
  const paths = new Map<string, JsonPath | string>();
  return (row) => {
    const json = jsonArg(row) as string | null;
    const pathText = pathArg(row) as string | null;
    if (json === null || pathText === null) return null;
    let path = paths.get(pathText);
    if (path === undefined) {
      try {
        path = parseJsonPath(pathText);
      } catch (error) {
        if (!(error instanceof JsonPathError)) throw error;
        path = error.message;
      }
      if (paths.size < 1000) paths.set(pathText, path);
    }
    if (typeof path === 'string') return { kind: 'error', message: path };
    let root: JsonNode;
    try {
      root = parsedDocument(json);
    } catch (error) {
      return { kind: 'error', message: `Invalid input for JSON: ${(error as Error).message}` };
    }
    const result = evaluateJsonPath(path, root);
    if (result.found) return { kind: 'value', node: result.value, mode: path.mode };
    if (path.mode === 'lax') return { kind: 'value', node: null, mode: 'lax' };
    return { kind: 'error', message: `No results for path: ${pathText}` };
  };
}

function jsonError(name: string, message: string): EvaluationError {
  return new EvaluationError('JSON_FUNCTION_ERROR', `${name}: ${message}`);
}

/** `value IS JSON [VALUE | SCALAR | ARRAY | OBJECT]`: FALSE for NULL and for text that is not JSON. */
export const IS_JSON: ScalarFunction = {
  name: 'IS_JSON',
  signatures: ['STRING IS JSON [VALUE | SCALAR | ARRAY | OBJECT]'],
  bind(args, ctx) {
    stringArg('IS JSON', args[0], 'operand', ctx);
    return { args, type: T.boolean(false) };
  },
  compile(args, call) {
    const [value] = args as [Evaluator];
    const kind = clause(call, 1);
    return (row) => {
      const text = value(row);
      if (text === null) return false;
      let node: JsonNode;
      try {
        node = parseJsonTree(text as string);
      } catch {
        return false;
      }
      if (kind === 'SCALAR') return isScalar(node);
      if (kind === 'ARRAY') return Array.isArray(node);
      if (kind === 'OBJECT') return node instanceof Map;
      return true;
    };
  },
};

/** JSON_EXISTS(json, path [{TRUE | FALSE | UNKNOWN | ERROR} ON ERROR]); FALSE ON ERROR by default. */
export const JSON_EXISTS: ScalarFunction = {
  name: 'JSON_EXISTS',
  signatures: ['JSON_EXISTS(STRING, STRING [{TRUE | FALSE | UNKNOWN | ERROR} ON ERROR])'],
  bind(args, ctx) {
    bindPathArgs('JSON_EXISTS', args, ctx);
    return { args, type: T.boolean(true) };
  },
  compile(args, call) {
    const onError = clause(call, 2);
    const lookup = pathLookup(args);
    return (row) => {
      const found = lookup(row);
      if (found === null) return null;
      if (found.kind === 'value') return found.node !== null;
      if (onError === 'ERROR') throw jsonError('JSON_EXISTS', found.message);
      return onError === 'TRUE' ? true : onError === 'UNKNOWN' ? null : false;
    };
  },
};

/** A non-string default of a STRING JSON_VALUE as the text Java's toString gives it (false, 1.5). */
function javaText(arg: BoundExpr, value: Evaluator, returning: DataType, env: EvalEnv): Evaluator {
  if (!isCharacterString(returning) || isCharacterString(arg.type) || arg.type.kind === 'NULL') return value;
  const text = toText(arg.type, env);
  const lower = arg.type.kind === 'BOOLEAN';
  return (row) => {
    const v = value(row);
    return v === null ? null : lower ? String(v) : text(v);
  };
}

const RETURNING_KINDS = new Set<DataType['kind']>([
  'CHAR',
  'VARCHAR',
  'BOOLEAN',
  'TINYINT',
  'SMALLINT',
  'INT',
  'BIGINT',
  'FLOAT',
  'DOUBLE',
  'DECIMAL',
]);

/**
 * JSON_VALUE(json, path [RETURNING type] [{NULL | ERROR | DEFAULT e} ON EMPTY] [{...} ON ERROR]):
 * the scalar at the path as STRING (or the RETURNING type), NULL ON EMPTY and NULL ON ERROR by default.
 * Arguments: json, path, returning (a NULL of the type), on-empty, its default, on-error, its default.
 */
export const JSON_VALUE: ScalarFunction = {
  name: 'JSON_VALUE',
  signatures: ['JSON_VALUE(STRING, STRING [RETURNING type] [... ON EMPTY] [... ON ERROR])'],
  bind(args, ctx) {
    bindPathArgs('JSON_VALUE', args, ctx);
    const returning = args[2]?.type.kind === 'NULL' ? T.string() : withNullable(args[2]?.type ?? T.string(), true);
    if (!RETURNING_KINDS.has(returning.kind))
      ctx.fail(
        `JSON_VALUE cannot return ${describeType(returning)}`,
        'RETURNING STRING, BOOLEAN, INTEGER, DOUBLE (or another number type)',
      );
    // A default is returned as it is when its type fits; as text, Java writes it (false, not FALSE).
    const defaults = [4, 6].map((i) => {
      const arg = args[i] as BoundExpr;
      if (arg.type.kind === 'NULL' || (isCharacterString(returning) && !isCharacterString(arg.type))) return arg;
      return ctx.cast(arg, withNullable(returning, true));
    });
    return { args: [...args.slice(0, 4), defaults[0], args[5], defaults[1]] as BoundExpr[], type: returning };
  },
  compile(args, call, env) {
    const [, , , , defaultOnEmpty, , defaultOnError] = args as [
      Evaluator,
      Evaluator,
      Evaluator,
      Evaluator,
      Evaluator,
      Evaluator,
      Evaluator,
    ];
    const onEmpty = clause(call, 3);
    const onError = clause(call, 5);
    const emptyDefault = javaText(call.args[4] as BoundExpr, defaultOnEmpty, call.type, env);
    const errorDefault = javaText(call.args[6] as BoundExpr, defaultOnError, call.type, env);
    const convert = compileCast(T.string(false), withNullable(call.type, false), env, false);
    const lookup = pathLookup(args);
    const whenError = (row: readonly Value[], message: string): Value => {
      if (onError === 'ERROR') throw jsonError('JSON_VALUE', message);
      return onError === 'DEFAULT' ? errorDefault(row) : null;
    };
    return (row) => {
      const found = lookup(row);
      if (found === null) return null;
      if (found.kind === 'error') return whenError(row, found.message);
      const node = found.node;
      if (node === null || (found.mode === 'lax' && !isScalar(node))) {
        if (onEmpty === 'ERROR') throw jsonError('JSON_VALUE', 'Empty result of JSON_VALUE function is not allowed');
        if (onEmpty !== 'DEFAULT') return null;
        try {
          return emptyDefault(row);
        } catch (error) {
          if (error instanceof EvaluationError) return whenError(row, error.message);
          throw error;
        }
      }
      if (!isScalar(node))
        return whenError(
          row,
          `Strict jsonpath mode requires scalar value, and the actual value is: '${writeJsonTree(node)}'`,
        );
      try {
        return convert(typeof node === 'string' ? node : String(node));
      } catch (error) {
        if (error instanceof EvaluationError) return whenError(row, error.message);
        throw error;
      }
    };
  },
};

/**
 * JSON_QUERY(json, path [wrapper] [{NULL | EMPTY ARRAY | EMPTY OBJECT | ERROR} ON EMPTY] [... ON ERROR]):
 * the array or object at the path as JSON text. Arguments: json, path, wrapper (WITHOUT,
 * CONDITIONAL or UNCONDITIONAL), on-empty, on-error.
 */
export const JSON_QUERY: ScalarFunction = {
  name: 'JSON_QUERY',
  signatures: ['JSON_QUERY(STRING, STRING [... WRAPPER] [... ON EMPTY] [... ON ERROR])'],
  bind(args, ctx) {
    bindPathArgs('JSON_QUERY', args, ctx);
    return { args, type: T.string(true) };
  },
  compile(args, call) {
    const wrapper = clause(call, 2);
    const onEmpty = clause(call, 3);
    const onError = clause(call, 4);
    const lookup = pathLookup(args);
    const fallback = (behavior: string, message: string): Value => {
      if (behavior === 'ERROR') throw jsonError('JSON_QUERY', message);
      return behavior === 'EMPTY ARRAY' ? '[]' : behavior === 'EMPTY OBJECT' ? '{}' : null;
    };
    return (row) => {
      const found = lookup(row);
      if (found === null) return null;
      if (found.kind === 'error') return fallback(onError, found.message);
      let node = found.node;
      if (node !== null && (wrapper === 'UNCONDITIONAL' || (wrapper === 'CONDITIONAL' && !Array.isArray(node))))
        node = [node];
      if (node === null || (found.mode === 'lax' && isScalar(node)))
        return fallback(onEmpty, 'Empty result of JSON_QUERY function is not allowed');
      if (isScalar(node))
        return fallback(
          onError,
          `Strict jsonpath mode requires array or object value, and the actual value is: '${writeJsonTree(node)}'`,
        );
      return writeJsonTree(node);
    };
  },
};

function checkValues(name: string, args: readonly BoundExpr[], ctx: BindContext): void {
  for (const arg of args) {
    const problem = jsonValueProblem(arg.type);
    if (problem) ctx.fail(`${name}: ${problem}`, 'CAST the value AS STRING');
  }
}

/** JSON_STRING(value): the value serialized as JSON; NULL for NULL. */
export const JSON_STRING: ScalarFunction = {
  name: 'JSON_STRING',
  signatures: ['JSON_STRING(ANY)'],
  bind(args, ctx) {
    if (args.length !== 1) ctx.fail(`JSON_STRING takes one argument, got ${args.length}`);
    checkValues('JSON_STRING', args, ctx);
    const [arg] = args as [BoundExpr];
    return { args, type: T.string(arg.type.kind === 'NULL' || arg.type.nullable) };
  },
  compile(args, call) {
    const [value] = args as [Evaluator];
    const write = jsonArgumentText(call.args[0] as BoundExpr);
    return (row) => {
      const v = value(row);
      return v === null ? null : write(v);
    };
  },
};

/** JSON_OBJECT([KEY] k VALUE v, ... [{NULL | ABSENT} ON NULL]); arguments: on-null, then keys and values. */
export const JSON_OBJECT: ScalarFunction = {
  name: 'JSON_OBJECT',
  signatures: ["JSON_OBJECT([KEY] 'key' VALUE value, ... [{NULL | ABSENT} ON NULL])"],
  foldable: false,
  bind(args, ctx) {
    const pairs = args.slice(1);
    pairs.forEach((arg, i) => {
      if (i % 2 === 0 && (arg.type.kind === 'NULL' || !isCharacterString(arg.type)))
        ctx.fail(`a key of JSON_OBJECT must be a non-NULL character string, got ${describeType(arg.type)}`);
    });
    checkValues(
      'JSON_OBJECT',
      pairs.filter((_, i) => i % 2 === 1),
      ctx,
    );
    return { args, type: T.string(false) };
  },
  compile(args, call) {
    const absent = clause(call, 0) === 'ABSENT';
    const writers = call.args.map(jsonArgumentText);
    const count = args.length;
    return (row) => {
      // Jackson's ObjectNode: a key given twice keeps its first place and its last value.
      const fields = new Map<string, string>();
      for (let i = 1; i + 1 < count; i += 2) {
        const key = (args[i] as Evaluator)(row);
        if (key === null) throw jsonError('JSON_OBJECT', 'a key is NULL');
        const value = (args[i + 1] as Evaluator)(row);
        if (value === null && absent) continue;
        fields.set(key as string, value === null ? 'null' : (writers[i + 1] as (v: Value) => string)(value));
      }
      return `{${[...fields].map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`;
    };
  },
};

/** JSON_ARRAY(v, ... [{NULL | ABSENT} ON NULL]), ABSENT ON NULL by default; arguments: on-null, then values. */
export const JSON_ARRAY: ScalarFunction = {
  name: 'JSON_ARRAY',
  signatures: ['JSON_ARRAY(value, ... [{NULL | ABSENT} ON NULL])'],
  foldable: false,
  bind(args, ctx) {
    checkValues('JSON_ARRAY', args.slice(1), ctx);
    return { args, type: T.string(false) };
  },
  compile(args, call) {
    const absent = clause(call, 0) !== 'NULL';
    const writers = call.args.map(jsonArgumentText);
    const count = args.length;
    return (row) => {
      const items: string[] = [];
      for (let i = 1; i < count; i++) {
        const value = (args[i] as Evaluator)(row);
        if (value === null) {
          if (!absent) items.push('null');
        } else items.push((writers[i] as (v: Value) => string)(value));
      }
      return `[${items.join(',')}]`;
    };
  },
};
