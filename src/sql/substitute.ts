import { scan } from './scan.ts';
import { type Replacement, SqlSource } from './source.ts';
import { SqlError } from './sql-error.ts';

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_.]*)(?::-([^}]*))?\}/y;

/**
 * Replaces `${NAME}` and `${NAME:-default}` everywhere but in comments, from `variables` first (the
 * `-D` options) and then `env`. A name with neither a value nor a default is an error at its place.
 */
export function substituteVariables(
  name: string,
  text: string,
  variables: ReadonlyMap<string, string>,
  env: NodeJS.ProcessEnv = process.env,
): SqlSource {
  const placeholderEnd = (at: number): number | undefined => {
    if (!text.startsWith('${', at)) return undefined;
    PLACEHOLDER.lastIndex = at;
    if (!PLACEHOLDER.test(text)) {
      throw new SqlError(
        'SQL_BAD_PLACEHOLDER',
        new SqlSource(name, text),
        at,
        'malformed placeholder',
        'write ${NAME} or ${NAME:-default}',
      );
    }
    return PLACEHOLDER.lastIndex;
  };
  const replacements: Replacement[] = [];
  let out = '';
  let copiedUpTo = 0;
  for (const stretch of scan(text, placeholderEnd)) {
    if (stretch.kind !== 'placeholder') continue;
    PLACEHOLDER.lastIndex = stretch.start;
    const [, variable = '', fallback] = PLACEHOLDER.exec(text) ?? [];
    const value = variables.get(variable) ?? env[variable] ?? fallback;
    if (value === undefined) {
      throw new SqlError(
        'SQL_UNSET_VARIABLE',
        new SqlSource(name, text),
        stretch.start,
        `\${${variable}} is not set`,
        `pass -D ${variable}=VALUE, set the environment variable ${variable}, or write \${${variable}:-default}`,
      );
    }
    out += text.slice(copiedUpTo, stretch.start);
    replacements.push({
      originalStart: stretch.start,
      originalEnd: stretch.end,
      start: out.length,
      end: out.length + value.length,
    });
    out += value;
    copiedUpTo = stretch.end;
  }
  out += text.slice(copiedUpTo);
  return new SqlSource(name, out, { text, replacements });
}
