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
  const replacements: Replacement[] = [];
  let out = '';
  let copiedUpTo = 0;
  let inString = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '$' && next === '{') {
      PLACEHOLDER.lastIndex = i;
      const match = PLACEHOLDER.exec(text);
      if (!match) {
        throw new SqlError(
          'SQL_BAD_PLACEHOLDER',
          new SqlSource(name, text),
          i,
          'malformed placeholder',
          'write ${NAME} or ${NAME:-default}',
        );
      }
      const [whole, variable = '', fallback] = match;
      const value = variables.get(variable) ?? env[variable] ?? fallback;
      if (value === undefined) {
        throw new SqlError(
          'SQL_UNSET_VARIABLE',
          new SqlSource(name, text),
          i,
          `\${${variable}} is not set`,
          `pass -D ${variable}=VALUE, set the environment variable ${variable}, or write \${${variable}:-default}`,
        );
      }
      out += text.slice(copiedUpTo, i);
      replacements.push({
        originalStart: i,
        originalEnd: i + whole.length,
        start: out.length,
        end: out.length + value.length,
      });
      out += value;
      i += whole.length;
      copiedUpTo = i;
    } else if (inString) {
      if (c === "'") {
        if (next === "'") i++;
        else inString = false;
      }
      i++;
    } else if (c === "'") {
      inString = true;
      i++;
    } else if (c === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else {
      i++;
    }
  }
  out += text.slice(copiedUpTo);
  return new SqlSource(name, out, { text, replacements });
}
