import type { QueryHint, TableOption } from './ast.ts';
import { Cursor } from './cursor.ts';
import type { HintComment } from './lexer.ts';

/** Query hints Flink has and Rivulet does not run, with why. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  BROADCAST: 'join strategy hints choose among batch join algorithms; a streaming join has one',
  SHUFFLE_HASH: 'join strategy hints choose among batch join algorithms; a streaming join has one',
  SHUFFLE_MERGE: 'join strategy hints choose among batch join algorithms; a streaming join has one',
  NEST_LOOP: 'join strategy hints choose among batch join algorithms; a streaming join has one',
};

/**
 * The hints of `SELECT /*+ hint [, hint]* *\/`, Flink's query hint syntax: `name`,
 * `name(key = 'value', ...)` or `name(option, ...)`. Rivulet runs STATE_TTL and LOOKUP; other hints
 * are errors.
 */
export function parseQueryHints(outer: Cursor, comment: HintComment): QueryHint[] {
  const cursor = new Cursor(outer.source, [...comment.tokens]);
  const hints: QueryHint[] = [];
  do {
    const at = cursor.at;
    if (cursor.token.kind !== 'word') throw cursor.unexpected('expected the name of a hint');
    const name = cursor.advance().upper;
    if (name !== 'STATE_TTL' && name !== 'LOOKUP') {
      const why = UNSUPPORTED[name];
      throw cursor.error(
        at,
        why ? `query hint ${name} is not supported: ${why}` : `unknown query hint '${name}'`,
        "the query hints Rivulet runs are STATE_TTL('table or alias' = 'duration', ...) and LOOKUP('table' = 'name', ...)",
        'SQL_UNSUPPORTED',
      );
    }
    const options: { key: string; value: string; at: number }[] = [];
    if (cursor.acceptSymbol('(') && !cursor.acceptSymbol(')')) {
      do {
        const keyAt = cursor.at;
        const key = cursor.token;
        if (key.kind !== 'string' && key.kind !== 'word' && key.kind !== 'quoted')
          throw cursor.unexpected(
            name === 'LOOKUP'
              ? "expected an option, such as 'table'"
              : "expected the name of a table or alias, such as 'orders'",
          );
        cursor.advance();
        cursor.expectSymbol('=');
        const value = cursor.expectString(
          name === 'LOOKUP' ? 'the value of the option' : "the state's time to live, such as '1d'",
        ).value;
        options.push({ key: key.value, value, at: keyAt });
      } while (cursor.acceptSymbol(','));
      cursor.expectSymbol(')');
    }
    if (options.length === 0) {
      throw cursor.error(
        at,
        `Invalid ${name} hint, expecting at least one key-value options specified.`,
        name === 'LOOKUP' ? "for example LOOKUP('table' = 'customers')" : "for example STATE_TTL('orders' = '1d')",
      );
    }
    hints.push({ kind: name === 'LOOKUP' ? 'lookup' : 'stateTtl', at, options });
  } while (cursor.acceptSymbol(','));
  if (!cursor.atEnd()) throw cursor.unexpected("expected ',' or the end of the hint");
  return hints;
}

/**
 * The table hints of `t /*+ OPTIONS('key' = 'value', ...) *\/` (Flink's dynamic table options): the
 * options in order, a key given again overriding the earlier one. OPTIONS is Flink's only table hint.
 */
export function parseTableHints(outer: Cursor, comment: HintComment): TableOption[] {
  const cursor = new Cursor(outer.source, [...comment.tokens]);
  const options: TableOption[] = [];
  do {
    const at = cursor.at;
    if (cursor.token.kind !== 'word') throw cursor.unexpected('expected the name of a hint');
    const name = cursor.advance().upper;
    if (name !== 'OPTIONS') {
      throw cursor.error(
        at,
        `unknown table hint '${name}'`,
        "the table hint is OPTIONS('key' = 'value', ...); query hints go right after SELECT",
        'SQL_UNSUPPORTED',
      );
    }
    cursor.expectSymbol('(');
    do {
      const keyAt = cursor.at;
      const key = cursor.token;
      if (key.kind !== 'string' && key.kind !== 'word' && key.kind !== 'quoted')
        throw cursor.unexpected("expected an option key, such as 'scan.startup.mode'");
      cursor.advance();
      cursor.expectSymbol('=');
      const value = cursor.expectString('the value of the option').value;
      options.push({ at: keyAt, key: key.value, value });
    } while (cursor.acceptSymbol(','));
    cursor.expectSymbol(')');
  } while (cursor.acceptSymbol(','));
  if (!cursor.atEnd()) throw cursor.unexpected("expected ',' or the end of the hint");
  return options;
}
