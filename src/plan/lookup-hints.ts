import { parseDuration } from '../connectors/options.ts';
import type { LookupHint } from '../sql/ast.ts';
import type { SqlSource } from '../sql/source.ts';
import { SqlError } from '../sql/sql-error.ts';

/**
 * What a LOOKUP hint asks of one lookup join. The retry (Flink's `fixed_delay` strategy on
 * `lookup_miss`) is run: a key whose lookup returns no row is looked up again after `delayMs`, up to
 * `maxAttempts` more times. The async options are checked and then take no effect: no lookup
 * source here has an asynchronous lookup, and Flink ignores a hinted mode the source does not have.
 */
export interface LookupHintSpec {
  /** `predicate` as written (explain shows it so, as Flink's does). */
  readonly retry?: { readonly predicate: string; readonly delayMs: number; readonly maxAttempts: number };
}

type Option = { readonly key: string; readonly value: string; readonly at: number };

const RETRY_KEYS = ['retry-predicate', 'retry-strategy', 'fixed-delay', 'max-attempts'];
const ASYNC_KEYS = ['async', 'output-mode', 'capacity', 'timeout'];
const KEYS = ['table', ...ASYNC_KEYS, ...RETRY_KEYS];

/**
 * The LOOKUP hints of one query block, by the lookup table each names in its 'table' option: its
 * alias when the join gives it one, else its name (Flink 1.18.1 refuses the name of an aliased
 * table: "cannot match the name of input tables or views"). Each must name a lookup join of the
 * block (`check`): Flink refuses a name no input of the block has, and ignores one of an input that
 * is not a lookup table, which here would be a hint without effect.
 */
export class LookupHints {
  private readonly hints = new Map<string, { spec: LookupHintSpec; at: number }>();
  private readonly used = new Set<string>();

  constructor(
    hints: readonly LookupHint[],
    private readonly source: SqlSource,
  ) {
    for (const hint of hints) {
      const options = new Map<string, Option>();
      for (const option of hint.options) {
        if (!KEYS.includes(option.key)) {
          throw this.error(
            option.at,
            `Invalid LOOKUP hint option '${option.key}'`,
            `the options of LOOKUP are ${KEYS.map((k) => `'${k}'`).join(', ')}`,
          );
        }
        options.set(option.key, option);
      }
      const table = options.get('table');
      if (!table)
        throw this.error(
          hint.at,
          "Invalid LOOKUP hint: no 'table' option",
          "name the lookup table: LOOKUP('table' = 'customers', ...)",
        );
      // Of two hints for one table the first counts, as for STATE_TTL.
      if (!this.hints.has(table.value))
        this.hints.set(table.value, { spec: this.spec(options, hint.at), at: table.at });
    }
  }

  /** The hint of the lookup join of the table aliased `alias`, or called `name` without one, now counted as used. */
  take(name: string, alias: string | undefined): LookupHintSpec | undefined {
    const key = alias ?? name;
    const found = this.hints.get(key);
    if (found) this.used.add(key);
    return found?.spec;
  }

  /** Fails for a hint whose 'table' named no lookup join of the block. */
  check(): void {
    for (const [table, { at }] of this.hints) {
      if (this.used.has(table)) continue;
      throw this.error(
        at,
        `LOOKUP hint: '${table}' is not the lookup table of a lookup join of this SELECT`,
        'name the table joined FOR SYSTEM_TIME AS OF in the same SELECT by its alias, or by its name when it has none',
      );
    }
  }

  private spec(options: ReadonlyMap<string, Option>, at: number): LookupHintSpec {
    const retryGiven = RETRY_KEYS.filter((key) => options.has(key));
    let retry: LookupHintSpec['retry'];
    if (retryGiven.length > 0) {
      const missing = RETRY_KEYS.filter((key) => !options.has(key));
      if (missing.length > 0) {
        throw this.error(
          at,
          `Invalid LOOKUP hint: the retry options go together, ${missing.map((k) => `'${k}'`).join(', ')} missing`,
          "for example 'retry-predicate' = 'lookup_miss', 'retry-strategy' = 'fixed_delay', 'fixed-delay' = '10s', 'max-attempts' = '3'",
        );
      }
      const predicate = options.get('retry-predicate') as Option;
      if (predicate.value.trim().toLowerCase() !== 'lookup_miss')
        throw this.error(
          predicate.at,
          `Invalid LOOKUP hint: unsupported retry-predicate '${predicate.value}'`,
          "the retry predicate is 'lookup_miss'",
        );
      const strategy = options.get('retry-strategy') as Option;
      if (strategy.value.trim().toLowerCase() !== 'fixed_delay')
        throw this.error(
          strategy.at,
          `Invalid LOOKUP hint: unsupported retry-strategy '${strategy.value}'`,
          "the retry strategy is 'fixed_delay'",
        );
      const delay = options.get('fixed-delay') as Option;
      const delayMs = parseDuration(delay.value);
      if (delayMs === undefined || delayMs <= 0)
        throw this.error(
          delay.at,
          `Invalid LOOKUP hint: 'fixed-delay' must be a positive duration, got '${delay.value}'`,
          "such as '10ms' or '1 s'",
        );
      const attempts = options.get('max-attempts') as Option;
      const maxAttempts = /^\s*\d+\s*$/.test(attempts.value) ? Number(attempts.value) : Number.NaN;
      if (!(maxAttempts > 0 && maxAttempts <= 2147483647))
        throw this.error(
          attempts.at,
          `Invalid LOOKUP hint: 'max-attempts' must be a positive whole number, got '${attempts.value}'`,
          "such as '3'",
        );
      retry = { predicate: predicate.value, delayMs, maxAttempts };
    }
    for (const key of ASYNC_KEYS) {
      const option = options.get(key);
      if (!option) continue;
      const value = option.value.trim();
      const ok =
        key === 'async'
          ? /^(true|false)$/i.test(value)
          : key === 'output-mode'
            ? /^(ordered|allow_unordered)$/i.test(value)
            : key === 'capacity'
              ? /^\d+$/.test(value) && Number(value) > 0
              : (parseDuration(value) ?? 0) > 0;
      if (!ok) {
        const expected: Record<string, string> = {
          async: "'true' or 'false'",
          'output-mode': "'ordered' or 'allow_unordered'",
          capacity: 'a positive whole number',
          timeout: "a positive duration such as '180s'",
        };
        throw this.error(option.at, `Invalid LOOKUP hint: '${key}' = '${option.value}'`, `expected ${expected[key]}`);
      }
    }
    return retry ? { retry } : {};
  }

  private error(at: number, message: string, hint: string): SqlError {
    return new SqlError('SQL_INVALID_HINT', this.source, at, message, hint);
  }
}
