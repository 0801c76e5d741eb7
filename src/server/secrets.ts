import { REDACTED } from '../connectors/options.ts';
import { inputsOf } from '../plan/explain.ts';
import type { PlanNode, TableReference } from '../plan/nodes.ts';
import type { Engine } from '../runtime/engine.ts';
import type { Job } from '../runtime/job.ts';

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
export class SecretHider {
  private readonly byName: RegExp;

  constructor(sensitiveNames: Iterable<string>) {
    const names = [...new Set([...ALWAYS_SENSITIVE, ...sensitiveNames].map((name) => name.toLowerCase()))]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp);
    // A name stands alone or ends a longer key (`sasl.password`, `db_password`), quoted or not.
    this.byName = new RegExp(String.raw`(?<![A-Za-z0-9])(['"]?)(${names.join('|')})\1(\s*[=:]\s*)(${VALUE})`, 'gi');
  }

  /** The secret-free form of every job's sensitive options, as the jobs of `engine` declare them. */
  static of(engine: Engine): SecretHider {
    return new SecretHider([...engine.jobs.values()].flatMap(sensitiveOptionNames));
  }

  text(text: string): string {
    return text
      .replace(URL_PASSWORD, `$1${REDACTED}@`)
      .replace(this.byName, (_, quote: string, name: string, separator: string, value: string) => {
        return `${quote}${name}${quote}${separator}${hiddenValue(value)}`;
      });
  }

  /** A JSON answer with every string hidden; numbers, keys and structure are left as they are. */
  answer(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.answer(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.answer(item)]));
    }
    return value;
  }
}

/** Names of the sensitive options of the connectors of the tables a job reads or writes. */
function sensitiveOptionNames(job: Job): string[] {
  const names = new Set<string>();
  const seen = new Set<PlanNode>();
  const table = (reference: TableReference) => {
    for (const [key, spec] of reference.connector.specs) if (spec.sensitive) names.add(key);
  };
  const visit = (node: PlanNode) => {
    if (seen.has(node)) return;
    seen.add(node);
    if (node.kind === 'TableSourceScan' || node.kind === 'Sink' || node.kind === 'LookupJoin') table(node.table);
    for (const input of inputsOf(node)) visit(input);
  };
  for (const sink of job.plan.sinks) visit(sink);
  return [...names];
}
