import { formatJavaDouble } from '../cast.ts';

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

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/** Parses JSON text; throws SyntaxError for text that is not one JSON value. */
export function parseJsonTree(text: string): JsonNode {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${i}`);
  };
  const skip = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const expect = (c: string) => {
    skip();
    if (text[i] !== c) fail(`expected '${c}'`);
    i++;
  };
  const string = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): JsonNode => {
    skip();
    const c = text[i];
    if (c === '{') {
      i++;
      const out: JsonObject = new Map();
      skip();
      if (text[i] === '}') {
        i++;
        return out;
      }
      do {
        skip();
        if (text[i] !== '"') fail('expected a property name');
        const key = string();
        expect(':');
        out.set(key, value());
        skip();
      } while (text[i] === ',' && ++i);
      expect('}');
      return out;
    }
    if (c === '[') {
      i++;
      const out: JsonNode[] = [];
      skip();
      if (text[i] === ']') {
        i++;
        return out;
      }
      do out.push(value());
      while (skip() === undefined && text[i] === ',' && ++i);
      expect(']');
      return out;
    }
    if (c === '"') return string();
    for (const [word, node] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return node;
      }
    }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(text);
    if (!number) return fail('unexpected character');
    i += number[0].length;
    return new JsonNumber(number[0], number[1] === undefined && number[2] === undefined);
  };
  const result = value();
  skip();
  if (i !== text.length) fail('unexpected text after the value');
  return result;
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
