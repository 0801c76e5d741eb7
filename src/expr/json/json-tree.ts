import { formatJavaDouble } from '../cast.ts';
import { parseJsonWith } from './json-parse.ts';

/**
 * A parsed JSON document as the SQL JSON functions see it (Flink reads it with Jackson into Java
 * objects): objects keep their key order, numbers their kind (an integer, or a double).
 */
export type JsonNode = null | boolean | string | JsonNumber | JsonNode[] | JsonObject;
export type JsonObject = Map<string, JsonNode>;

export class JsonNumber {
  constructor(
    readonly text: string,
    readonly integral: boolean,
  ) {}

  /** The number as Java prints it: an integer exactly, a double as Double.toString (1.0, 1.0E20). */
  toString(): string {
    return this.integral ? BigInt(this.text).toString() : formatJavaDouble(Number(this.text));
  }
}

export function isScalar(node: JsonNode): boolean {
  return node === null || typeof node !== 'object' || node instanceof JsonNumber;
}

/** Parses JSON text; throws SyntaxError for text that is not one JSON value. */
export function parseJsonTree(text: string): JsonNode {
  return parseJsonWith<JsonNode>(text, {
    number: (source) => new JsonNumber(source, !/[.eE]/.test(source)),
    // Jackson's map: a key given twice keeps its first place and its last value, as a Map does.
    object: (entries) => new Map(entries),
  }) as JsonNode;
}

/** Compact JSON text of a node, as Jackson writes it. */
export function writeJsonTree(node: JsonNode): string {
  if (node === null) return 'null';
  if (typeof node === 'boolean') return String(node);
  if (typeof node === 'string') return JSON.stringify(node);
  if (node instanceof JsonNumber) return node.toString();
  if (Array.isArray(node)) return `[${node.map(writeJsonTree).join(',')}]`;
  return `{${[...node].map(([key, value]) => `${JSON.stringify(key)}:${writeJsonTree(value)}`).join(',')}}`;
}
