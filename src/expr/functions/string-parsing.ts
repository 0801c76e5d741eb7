import { type DataType, T } from '../../types/data-type.ts';
import type { BoundExpr, ScalarFunction } from '../bound.ts';
import { EvaluationError, type Value } from '../value.ts';
import { anyNullable } from './definition.ts';
import { escapeRegex, javaRegex, stringFunction } from './string.ts';

// PARSE_URL and STR_TO_MAP: structured text taken apart as Flink 1.18's SqlFunctionUtils does.

/** The URL parts java.net.URL gives, for the protocols it knows by default; null when it refuses the URL. */
interface UrlParts {
  readonly PROTOCOL: string;
  readonly AUTHORITY: string | null;
  readonly USERINFO: string | null;
  readonly HOST: string;
  readonly PATH: string;
  readonly QUERY: string | null;
  readonly REF: string | null;
  readonly FILE: string;
}

const JAVA_PROTOCOLS = new Set(['http', 'https', 'ftp', 'file', 'jar', 'mailto']);
const URL_SHAPE = /^([a-zA-Z][a-zA-Z0-9+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;

function parseUrlParts(url: string): UrlParts | null {
  const match = URL_SHAPE.exec(url.trim());
  if (!match) return null;
  const protocol = (match[1] as string).toLowerCase();
  if (!JAVA_PROTOCOLS.has(protocol)) return null;
  const authority = match[2] ?? null;
  const at = authority?.lastIndexOf('@') ?? -1;
  const userInfo = authority !== null && at >= 0 ? authority.slice(0, at) : null;
  const hostPort = authority === null ? '' : authority.slice(at + 1);
  const host = hostPort.startsWith('[') ? hostPort.slice(0, hostPort.indexOf(']') + 1) : hostPort.split(':')[0];
  const path = match[3] ?? '';
  const query = match[4] ?? null;
  return {
    PROTOCOL: protocol,
    AUTHORITY: authority,
    USERINFO: userInfo,
    HOST: host ?? '',
    PATH: path,
    QUERY: query,
    REF: match[5] ?? null,
    FILE: query === null ? path : `${path}?${query}`,
  };
}

let lastUrl = '';
let lastParts: UrlParts | null = null;

/**
 * PARSE_URL(url, part[, key]): HOST, PATH, QUERY, REF, PROTOCOL, AUTHORITY, FILE or USERINFO of the
 * URL (the part name is case-sensitive, as in Flink); with a key, the value of that query parameter.
 * NULL for an unknown part, an absent part, or a URL Java's parser refuses.
 */
export const PARSE_URL = stringFunction(
  'PARSE_URL',
  ['string', 'string', 'string'],
  () => T.string(true),
  (url: string, part: string, key?: string) => {
    if (url !== lastUrl) {
      lastUrl = url;
      lastParts = parseUrlParts(url);
    }
    if (!lastParts || !Object.hasOwn(lastParts, part)) return null;
    const value = lastParts[part as keyof UrlParts];
    if (key === undefined) return value;
    if (part !== 'QUERY' || value === null) return null;
    return new RegExp(`(?:&|^)${escapeRegex(key)}=([^&]*)`).exec(value)?.[1] ?? null;
  },
  1,
);

const STRING_MAP = (args: readonly BoundExpr[]): DataType => ({
  kind: 'MAP',
  key: T.string(),
  value: T.string(),
  nullable: anyNullable(args),
});

/**
 * Java's String.split(regex): s itself when nothing matches; otherwise the pieces, every trailing empty one
 * dropped (so 'a.b'.split('.') is empty), and no leading empty piece for a zero-width match.
 */
function javaSplit(s: string, regex: RegExp, limit = 0): string[] {
  const pieces: string[] = [];
  let start = 0;
  const global = new RegExp(regex.source, `${regex.flags.replace('g', '')}g`);
  for (let match = global.exec(s); match; match = global.exec(s)) {
    if (limit > 0 && pieces.length === limit - 1) break;
    if (match[0] === '') {
      global.lastIndex++;
      if (match.index === 0 || match.index >= s.length) continue;
    }
    pieces.push(s.slice(start, match.index));
    start = match.index + match[0].length;
  }
  if (pieces.length === 0) return [s];
  pieces.push(s.slice(start));
  if (limit === 0) while (pieces.length > 0 && pieces[pieces.length - 1] === '') pieces.pop();
  return pieces;
}

/**
 * STR_TO_MAP(s[, pairDelimiter, keyValueDelimiter]): s split into pairs and each pair into key and
 * value; both delimiters are Java regular expressions (defaults ',' and '='); a pair without the
 * key-value delimiter maps its text to NULL; a later key replaces an earlier one.
 */
const strToMap = stringFunction(
  'STR_TO_MAP',
  ['string', 'string', 'string'],
  STRING_MAP,
  (s: string, pairDelimiter = ',', keyValueDelimiter = '=') => {
    const map = new Map<Value, Value>();
    if (s === '') return map;
    const pairRegex = javaRegex(pairDelimiter, 'u');
    const keyValueRegex = javaRegex(keyValueDelimiter, 'u');
    if (!pairRegex || !keyValueRegex) {
      const bad = pairRegex ? keyValueDelimiter : pairDelimiter;
      throw new EvaluationError(
        'INVALID_REGEX',
        `STR_TO_MAP: the delimiter '${bad}' is not a valid regular expression`,
      );
    }
    for (const pair of javaSplit(s, pairRegex)) {
      const [key, value] = javaSplit(pair, keyValueRegex, 2);
      map.set(key as string, value ?? null);
    }
    return map;
  },
  2,
);

export const STR_TO_MAP: ScalarFunction = {
  ...strToMap,
  signatures: ['STR_TO_MAP(STRING)', 'STR_TO_MAP(STRING, STRING, STRING)'],
  bind(args, ctx) {
    if (args.length === 2) ctx.fail('STR_TO_MAP takes 1 or 3 arguments, got 2', 'give both delimiters');
    return strToMap.bind(args, ctx);
  },
};
