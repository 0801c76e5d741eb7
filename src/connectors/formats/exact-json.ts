/**
 * A JSON parser that keeps numbers as their source text, for the records whose BIGINT or DECIMAL
 * values do not survive JSON.parse's doubles. Slower than JSON.parse; used only for those records.
 */
export type ExactJson =
  | null
  | boolean
  | string
  | { readonly number: string }
  | ExactJson[]
  | { [key: string]: ExactJson };

export function parseExactJson(text: string): ExactJson {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${i} in JSON`);
  };
  const skip = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const value = (): ExactJson => {
    skip();
    const c = text[i];
    if (c === '{') {
      i++;
      const out: { [key: string]: ExactJson } = {};
      skip();
      if (text[i] === '}') {
        i++;
        return out;
      }
      for (;;) {
        skip();
        if (text[i] !== '"') fail('expected a property name');
        const key = string();
        skip();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        out[key] = value();
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return out;
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const out: ExactJson[] = [];
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
    return { number: number[0] };
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
  return result;
}
