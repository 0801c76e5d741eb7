import { REDACTED } from './options.ts';

/** Option names whose values are hidden whatever the connectors say. */
const ALWAYS_SENSITIVE = ['password'];

/** The password of a URL's user part: `scheme://user:password@`. */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"']+:)[^\s@/"']+@/gi;

/** A value after `name =` or `name:`: quoted as in SQL, as in JSON, as in JSON inside a string, or bare. */
const VALUE = String.raw`'(?:[^']|'')*'|\\"(?:[^"\\]|\\[^"])*\\"|"(?:[^"\\]|\\.)*"|[^\s'",;&)}\]\\]+`;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The quotes of a hidden value stay, so that the text around it keeps its shape. */
function hiddenValue(value: string): string {
  if (value.startsWith('\\"')) return `\\"${REDACTED}\\"`;
  if (value.startsWith("'") || value.startsWith('"')) return `${value[0]}${REDACTED}${value[0]}`;
  return REDACTED;
}

/**
 * Hides secrets in what the engine answers. A secret is found by its name, never by its value
 * (replacing a value everywhere would turn the password `postgres` into `******` inside the
 * user name and the names of connectors, and a numeric one into digits of other numbers): the value after a sensitive
 * option's name (`'password' = '…'`, `password=…`, `"password": "…"`), and the password of a URL.
 */
export class SecretText {
  private readonly byName: RegExp;

  constructor(sensitiveNames: Iterable<string>) {
    const names = [...new Set([...ALWAYS_SENSITIVE, ...sensitiveNames].map((name) => name.toLowerCase()))]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp);
    // A name stands alone or ends a longer key (`sasl.password`, `db_password`), quoted or not: the
    // closing quote of `'properties.sasl.password'` has no opening one before the name.
    this.byName = new RegExp(
      String.raw`(?<![A-Za-z0-9])(['"]?)(${names.join('|')})(['"]?)(\s*[=:]\s*)(${VALUE})`,
      'gi',
    );
  }

  text(text: string): string {
    return text
      .replace(URL_PASSWORD, `$1${REDACTED}@`)
      .replace(this.byName, (_, open: string, name: string, close: string, separator: string, value: string) => {
        return `${open}${name}${close}${separator}${hiddenValue(value)}`;
      });
  }
}

const IN_VALUES = new SecretText([]);

/**
 * An option's value as the planner shows it (SHOW CREATE TABLE, EXPLAIN): hidden when the option is
 * sensitive, otherwise with the secrets inside it hidden (a JDBC URL's `password=…`, a URL's `user:password@`).
 */
export function shownOptionValue(value: string, sensitive: boolean): string {
  return sensitive ? REDACTED : IN_VALUES.text(value);
}
