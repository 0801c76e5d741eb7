/** A JSON parser that leaves what numbers and objects become to its caller. */

/** How parseJsonWith builds the values that JSON.parse would make of numbers and objects. */
export interface JsonBuilder<T> {
  /** A number from its source text. */
  number(source: string): T;
  /** An object from its members in their order (a key may repeat). */
  object(entries: [string, T][]): T;
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Parses JSON text, numbers and objects built by `build`; throws SyntaxError for text that is not one JSON value. */
export function parseJsonWith<T>(text: string, build: JsonBuilder<T>): T | null | boolean | string | T[] {
  type Node = T | null | boolean | string | Node[];
  const length = text.length;
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${i} in JSON`);
  };
  const skip = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c !== SPACE && c !== LF && c !== CR && c !== TAB) return;
      i++;
    }
  };
  const expect = (c: string) => {
    skip();
    if (text[i] !== c) fail(`expected '${c}'`);
    i++;
  };
  const string = (): string => {
    const start = ++i;
    let escaped = false;
    for (;;) {
      if (i >= length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        i += 2;
      } else {
        if (c < SPACE) fail('a control character in a string');
        i++;
      }
    }
    i++;
    return escaped ? (JSON.parse(text.slice(start - 1, i)) as string) : text.slice(start, i - 1);
  };
  const word = (spelling: string, node: boolean | null): Node => {
    if (!text.startsWith(spelling, i)) fail('unexpected character');
    i += spelling.length;
    return node;
  };
  const value = (): Node => {
    skip();
    switch (text[i]) {
      case '{': {
        i++;
        const entries: [string, T][] = [];
        skip();
        if (text[i] === '}') {
          i++;
          return build.object(entries);
        }
        for (;;) {
          skip();
          if (text.charCodeAt(i) !== QUOTE) fail('expected a property name');
          const key = string();
          expect(':');
          entries.push([key, value() as T]);
          skip();
          if (text[i] !== ',') break;
          i++;
        }
        expect('}');
        return build.object(entries);
      }
      case '[': {
        i++;
        const out: Node[] = [];
        skip();
        if (text[i] === ']') {
          i++;
          return out;
        }
        for (;;) {
          out.push(value());
          skip();
          if (text[i] !== ',') break;
          i++;
        }
        expect(']');
        return out;
      }
      case '"':
        return string();
      case 't':
        return word('true', true);
      case 'f':
        return word('false', false);
      case 'n':
        return word('null', null);
      default: {
        NUMBER.lastIndex = i;
        const number = NUMBER.exec(text);
        if (!number) return fail('unexpected character');
        i += number[0].length;
        return build.number(number[0]);
      }
    }
  };
  const result = value();
  skip();
  if (i !== length) fail('unexpected text after the value');
  return result as T | null | boolean | string | T[];
}
