/**
 * A stretch of SQL text: code, a comment (`-- …` to the end of the line, or `/* … *\/`), a '…'
 * string literal or a `…` quoted identifier, in which a doubled quote stands for one. A block
 * comment or a quotation that the text ends inside is not `closed`.
 */
export type Stretch =
  | { readonly kind: 'code'; readonly start: number; readonly end: number }
  | {
      readonly kind: 'comment' | 'string' | 'quoted';
      readonly start: number;
      readonly end: number;
      readonly closed: boolean;
    };

/** A `${…}` placeholder, taken whole wherever it stands outside comments. */
export interface Placeholder {
  readonly kind: 'placeholder';
  readonly start: number;
  readonly end: number;
}

/** Where a placeholder that starts at `at` ends; undefined where none starts. */
export type PlaceholderAt = (at: number) => number | undefined;

/**
 * The stretches of `text`, in order, as the lexer and `${…}` substitution both read it. With
 * `placeholderAt`, placeholders come out as stretches of their own: in code they split it, in a
 * quotation they come before it (the quotation's stretch spans them).
 */
export function scan(text: string): Generator<Stretch>;
export function scan(text: string, placeholderAt: PlaceholderAt): Generator<Stretch | Placeholder>;
export function* scan(text: string, placeholderAt?: PlaceholderAt): Generator<Stretch | Placeholder> {
  let codeStart = 0;
  let i = 0;
  while (i < text.length) {
    const placeholderEnd = placeholderAt?.(i);
    const c = text[i];
    const next = text[i + 1];
    const comment = (c === '-' && next === '-') || (c === '/' && next === '*');
    if (placeholderEnd === undefined && !comment && c !== "'" && c !== '`') {
      i++;
      continue;
    }
    if (codeStart < i) yield { kind: 'code', start: codeStart, end: i };
    const start = i;
    if (placeholderEnd !== undefined) {
      yield { kind: 'placeholder', start, end: placeholderEnd };
      i = placeholderEnd;
    } else if (c === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
      yield { kind: 'comment', start, end: i, closed: true };
    } else if (c === '/') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
      yield { kind: 'comment', start, end: i, closed: end >= 0 };
    } else {
      let closed = false;
      i++;
      while (i < text.length && !closed) {
        const inner = placeholderAt?.(i);
        if (inner !== undefined) {
          yield { kind: 'placeholder', start: i, end: inner };
          i = inner;
        } else if (text[i] !== c) {
          i++;
        } else if (text[i + 1] === c) {
          i += 2;
        } else {
          i++;
          closed = true;
        }
      }
      yield { kind: c === "'" ? 'string' : 'quoted', start, end: i, closed };
    }
    codeStart = i;
  }
  if (codeStart < text.length) yield { kind: 'code', start: codeStart, end: text.length };
}
