import { toText } from '../../src/expr/cast.ts';
import { compileExpression } from '../../src/expr/compile.ts';
import type { EvalEnv } from '../../src/expr/eval-env.ts';
import { EvaluationError, type Value } from '../../src/expr/value.ts';
import { bindExpression } from '../../src/plan/bind-expression.ts';
import { Scope } from '../../src/plan/scope.ts';
import type { SelectItem } from '../../src/sql/ast.ts';
import { parseScript } from '../../src/sql/parser.ts';
import { SqlSource } from '../../src/sql/source.ts';
import { SqlError } from '../../src/sql/sql-error.ts';
import { type DataType, formatType, T } from '../../src/types/data-type.ts';
import { parseDate, parseTime, parseTimestamp, resolveTimeZone } from '../../src/types/temporal.ts';

/** The columns every expression case can read, with one row of values. */
const COLUMNS: readonly { name: string; type: DataType; value: Value }[] = [
  { name: 'i', type: T.int(), value: 7 },
  { name: 'ineg', type: T.int(), value: -7 },
  { name: 'n', type: T.int(), value: null },
  { name: 'imax', type: T.int(), value: 2147483647 },
  { name: 'ti', type: T.tinyint(), value: 100 },
  { name: 'si', type: T.smallint(), value: 30000 },
  { name: 'big', type: T.bigint(), value: 9000000000n },
  { name: 'd', type: T.decimal(10, 2), value: 599900n },
  { name: 'd3', type: T.decimal(5, 3), value: 1255n },
  { name: 'dn', type: T.decimal(10, 2), value: null },
  { name: 'dbl', type: T.double(), value: 2.5 },
  { name: 'f', type: T.float(), value: 1.5 },
  { name: 's', type: T.string(), value: 'Hello World' },
  { name: 'pad', type: T.string(), value: '  padded  ' },
  { name: 'cn', type: T.string(), value: '张三' },
  { name: 'sn', type: T.string(), value: null },
  { name: 'b', type: T.boolean(), value: true },
  { name: 'bf', type: T.boolean(), value: false },
  { name: 'bn', type: T.boolean(), value: null },
  { name: 'ts', type: T.timestamp(3), value: parseTimestamp('2025-07-11 17:25:55.145') },
  { name: 'ts0', type: T.timestamp(0), value: parseTimestamp('2024-02-29 00:00:00') },
  { name: 'ltz', type: T.timestampLtz(3), value: parseTimestamp('2025-07-11 09:25:55.145') as number },
  { name: 'dt', type: T.date(), value: parseDate('2025-07-11') },
  { name: 'tm', type: T.time(0), value: parseTime('17:25:55') },
  { name: 'js', type: T.string(), value: '{"user": {"name": "Ann", "tags": ["a", "b"]}, "qty": 3, "price": 2.50}' },
];

/** The processing-time clock of every case: 2025-07-11 09:25:55.145 UTC. */
const NOW = parseTimestamp('2025-07-11 09:25:55.145') as number;

export interface Outcome {
  /** The value as text (strings quoted), NULL, `ERROR <code>` or `REJECT <code>`. */
  readonly value: string;
  readonly type?: string;
}

/** Binds, compiles and evaluates one SQL expression over the test row in a session time zone. */
export function evaluate(expression: string, zone: string): Outcome {
  const source = new SqlSource('case', `SELECT ${expression}`);
  let bound: ReturnType<typeof bindExpression>;
  try {
    const [statement] = parseScript(source);
    if (statement?.kind !== 'query' || statement.query.kind !== 'select')
      throw new Error(`not an expression: ${expression}`);
    const item = statement.query.items[0] as SelectItem & { kind: 'expression' };
    const scope = new Scope(COLUMNS.map((c) => ({ name: c.name, type: c.type, qualifiers: ['t'] })));
    bound = bindExpression(item.expression, scope, { source });
  } catch (error) {
    if (error instanceof SqlError) return { value: `REJECT ${error.code}` };
    throw error;
  }
  const env: EvalEnv = { timeZone: resolveTimeZone(zone), nowMicros: () => NOW };
  const type = formatType(bound.type);
  try {
    const value = compileExpression(bound, env)(COLUMNS.map((c) => c.value));
    return { value: render(value, bound.type, env), type };
  } catch (error) {
    if (error instanceof EvaluationError) return { value: `ERROR ${error.code}`, type };
    throw error;
  }
}

function render(value: Value, type: DataType, env: EvalEnv): string {
  if (value === null) return 'NULL';
  const text = toText(type, env)(value) as string;
  return type.kind === 'CHAR' || type.kind === 'VARCHAR' ? `'${text}'` : text;
}
