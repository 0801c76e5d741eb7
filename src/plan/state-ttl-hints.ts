import { parseDuration } from '../connectors/options.ts';
import type { StateTtlHint } from '../sql/ast.ts';
import type { SqlSource } from '../sql/source.ts';
import { SqlError } from '../sql/sql-error.ts';

/** A STATE_TTL option as the query gives it: the duration as written, and where. */
interface TtlOption {
  readonly value: string;
  readonly at: number;
}

/**
 * The STATE_TTL hints of one query block (a SELECT; its subqueries and views are blocks of their
 * own): the time to live of the state of its joins and aggregates by the name or alias of their
 * input. Of one key given twice in a hint the last counts, in two hints the first, as in Flink.
 * Every key must name an input of a join or aggregate of the block (`check`).
 */
export class StateTtlHints {
  private readonly options = new Map<string, TtlOption>();
  private readonly used = new Set<string>();
  private readonly at: number;

  constructor(
    hints: readonly StateTtlHint[],
    private readonly source: SqlSource,
  ) {
    this.at = hints[0]?.at ?? 0;
    for (const hint of hints) {
      const own = new Map<string, TtlOption>();
      for (const { key, value, at } of hint.options) {
        if (parseDuration(value) === undefined) {
          throw new SqlError(
            'SQL_INVALID_HINT',
            source,
            at,
            `STATE_TTL of '${key}': '${value}' is not a duration`,
            "write a duration such as '1d', '12 h' or '30 min'",
          );
        }
        own.set(key, { value, at });
      }
      for (const [key, option] of own) if (!this.options.has(key)) this.options.set(key, option);
    }
  }

  /** The TTL hinted for the input called `name` (as written, such as '1d'), now counted as used. */
  take(name: string | undefined): string | undefined {
    if (name === undefined) return undefined;
    const option = this.options.get(name);
    if (!option) return undefined;
    this.used.add(name);
    return option.value;
  }

  /**
   * Fails for keys that named no input of a join or aggregate of the block, with Flink's message;
   * `subqueryInputs` are the names of the inputs of the joins the block's subqueries become, which
   * no STATE_TTL reaches (Flink resolves the hints before it rewrites subqueries into joins).
   */
  check(subqueryInputs: ReadonlySet<string> = new Set()): void {
    const unused = [...this.options.keys()].filter((key) => !this.used.has(key));
    if (unused.length === 0) return;
    const subquery = unused.find((key) => subqueryInputs.has(key));
    throw new SqlError(
      'SQL_INVALID_HINT',
      this.source,
      this.options.get(subquery ?? (unused[0] as string))?.at ?? this.at,
      `The options of following hints cannot match the name of input tables or views: \`${unused.join(', ')}\` in \`STATE_TTL\``,
      subquery !== undefined
        ? `'${subquery}' is an input of the semi, anti or LEFT join a subquery becomes, which STATE_TTL does not reach: Flink resolves hints before it rewrites subqueries into joins (with no join or aggregate in the block the hint lands nowhere and goes unchecked). That join keeps the job's 'table.exec.state.ttl': set it with SET, or remove the key`
        : 'a key names a table, view or alias that is a direct input of a join or an aggregate of the same SELECT',
    );
  }
}

/** A hinted TTL in milliseconds: undefined when none was hinted, 0 for state that lives forever. */
export function hintedTtl(value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseDuration(value);
}
