/** A JSON parser that leaves what numbers and objects become to its caller. */

/** How parseJsonWith builds the values that JSON.parse would make of numbers and objects. */
export interface JsonBuilder<T> {
  /** A number from its source text. */
  number(source: string): T;
  /** An object from its members in their order (a key may repeat). */
  object(entries: [string, T][]): T;
}

/** Parses JSON text, numbers and objects built by `build`; throws SyntaxError for text that is not one JSON value. */
export function parseJsonWith<T>(text: string, build: JsonBuilder<T>): T | null | boolean | string | T[] {
  type Node = T | null | boolean | string | Node[];
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${i} in JSON`);
  };
  const skip = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const value = (): Node => {
    skip();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: [string, T][] = [];
      skip();
      if (text[i] === '}') {
        i++;
        return build.object(entries);
      }
      for (;;) {
        skip();
        if (text[i] !== '"') fail('expected a property name');
        const key = string();
        skip();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        entries.push([key, value() as T]);
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return build.object(entries);
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
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
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return out;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    match.lastIndex = i;
    const number = match.exec(text);
    if (!number) return fail('unexpected character');
    i += number[0].length;
    return build.number(number[0]);
  };
  const string = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const result = value();
  skip();
  if (i !== text.length) fail('unexpected text after the value');
  return result as T | null | boolean | string | T[];
}
