import type { DataType } from '../types/data-type.ts';
import type { TimeUnit } from '../types/temporal.ts';

/** Every node records `at`, the offset of its first character in the parsed text (see SqlSource). */
interface Node {
  readonly at: number;
}

export interface Identifier extends Node {
  readonly name: string;
}

/** A possibly qualified name (`catalog.db.table`); `parts` in order, the last being the object's. */
export interface QualifiedName extends Node {
  readonly parts: readonly string[];
}

// ─── statements ──────────────────────────────────────────────────────────────────────────────────

export type Statement =
  | SetStatement
  | ResetStatement
  | CreateTableStatement
  | CreateViewStatement
  | CreateFunctionStatement
  | DropFunctionStatement
  | InsertStatement
  | StatementSet
  | ExplainStatement
  | QueryStatement
  | ShowStatement;

export interface SetStatement extends Node {
  readonly kind: 'set';
  /** Absent for a bare `SET;`, which lists the settings. */
  readonly key?: string;
  readonly value?: string;
}

export interface ResetStatement extends Node {
  readonly kind: 'reset';
  readonly key?: string;
}

export interface CreateTableStatement extends Node {
  readonly kind: 'createTable';
  readonly name: QualifiedName;
  readonly temporary: boolean;
  readonly ifNotExists: boolean;
  readonly columns: readonly ColumnDefinition[];
  readonly primaryKey?: PrimaryKey;
  readonly watermark?: WatermarkDefinition;
  readonly comment?: string;
  /** PARTITIONED BY (...): the columns whose values name a partition (a directory of a filesystem table). */
  readonly partitionedBy?: readonly Identifier[];
  readonly options: readonly TableOption[];
}

export type ColumnDefinition = PhysicalColumn | ComputedColumn | MetadataColumn;

export interface PhysicalColumn extends Node {
  readonly kind: 'physical';
  readonly name: Identifier;
  readonly type: DataType;
  readonly comment?: string;
}

export interface ComputedColumn extends Node {
  readonly kind: 'computed';
  readonly name: Identifier;
  readonly expression: Expression;
  readonly comment?: string;
}

export interface MetadataColumn extends Node {
  readonly kind: 'metadata';
  readonly name: Identifier;
  readonly type: DataType;
  /** The `FROM 'key'`; the column name is the key when absent. */
  readonly key?: string;
  readonly virtual: boolean;
  readonly comment?: string;
}

export interface PrimaryKey extends Node {
  readonly columns: readonly Identifier[];
  readonly enforced: boolean;
}

export interface WatermarkDefinition extends Node {
  readonly column: Identifier;
  readonly expression: Expression;
}

export interface TableOption extends Node {
  readonly key: string;
  readonly value: string;
}

export interface CreateViewStatement extends Node {
  readonly kind: 'createView';
  readonly name: QualifiedName;
  readonly temporary: boolean;
  readonly ifNotExists: boolean;
  readonly columnNames?: readonly Identifier[];
  readonly query: Query;
}

/**
 * `CREATE [TEMPORARY [SYSTEM]] FUNCTION [IF NOT EXISTS] name AS '<module>#<export>' [LANGUAGE ...]`:
 * a user-defined function written in TypeScript or JavaScript (see docs/udf.md).
 */
export interface CreateFunctionStatement extends Node {
  readonly kind: 'createFunction';
  readonly name: QualifiedName;
  readonly temporary: boolean;
  readonly system: boolean;
  readonly ifNotExists: boolean;
  /** The AS string: a module path, relative to the script's directory, then `#` and the export's name. */
  readonly identifier: string;
  readonly identifierAt: number;
  /** TYPESCRIPT when the LANGUAGE clause is left out. */
  readonly language: 'TYPESCRIPT' | 'JAVASCRIPT';
}

export interface DropFunctionStatement extends Node {
  readonly kind: 'dropFunction';
  readonly name: QualifiedName;
  readonly temporary: boolean;
  readonly system: boolean;
  readonly ifExists: boolean;
}

export interface InsertStatement extends Node {
  readonly kind: 'insert';
  readonly target: QualifiedName;
  /** `INSERT INTO t /*+ OPTIONS(...) *\/`: dynamic table options of the target (see TableName). */
  readonly targetOptions?: readonly TableOption[];
  readonly overwrite: boolean;
  readonly columnNames?: readonly Identifier[];
  readonly query: Query;
}

export interface StatementSet extends Node {
  readonly kind: 'statementSet';
  readonly inserts: readonly InsertStatement[];
}

export interface ExplainStatement extends Node {
  readonly kind: 'explain';
  /** `EXPLAIN CHANGELOG_MODE, ESTIMATED_COST ...` details, upper-cased. */
  readonly details: readonly string[];
  readonly statement: InsertStatement | StatementSet | QueryStatement;
}

/** The SQL client's catalog statements: SHOW TABLES, SHOW [USER] FUNCTIONS, DESCRIBE t, SHOW CREATE TABLE t. */
export type ShowStatement = Node &
  (
    | { readonly kind: 'show'; readonly what: 'tables' | 'functions' | 'userFunctions' }
    | { readonly kind: 'show'; readonly what: 'describe' | 'createTable'; readonly table: QualifiedName }
  );

export interface QueryStatement extends Node {
  readonly kind: 'query';
  readonly query: Query;
}

// ─── queries ─────────────────────────────────────────────────────────────────────────────────────

export type Query = Select | SetOperation | Values | WithQuery;

/** `WITH name [(columns)] AS (query), ... body`: each query may read the ones before it. */
export interface WithQuery extends Node {
  readonly kind: 'with';
  readonly items: readonly WithItem[];
  readonly body: Query;
}

export interface WithItem extends Node {
  readonly name: Identifier;
  readonly columnNames?: readonly Identifier[];
  readonly query: Query;
}

/**
 * Flink's STATE_TTL query hint (`SELECT /*+ STATE_TTL('orders' = '1d') *\/ …`): the state TTL of
 * the joins and aggregates of the query block, by the name or alias of their input.
 */
export interface StateTtlHint extends Node {
  readonly kind: 'stateTtl';
  readonly options: readonly { readonly key: string; readonly value: string; readonly at: number }[];
}

/**
 * Flink's LOOKUP query hint (`SELECT /*+ LOOKUP('table' = 'c', 'retry-predicate' = 'lookup_miss', ...) *\/`):
 * how the lookup join of the table named by its 'table' option looks rows up.
 */
export interface LookupHint extends Node {
  readonly kind: 'lookup';
  readonly options: readonly { readonly key: string; readonly value: string; readonly at: number }[];
}

export type QueryHint = StateTtlHint | LookupHint;

export interface Select extends Node {
  readonly kind: 'select';
  readonly hints?: readonly QueryHint[];
  readonly distinct: boolean;
  readonly items: readonly SelectItem[];
  readonly from?: TableReference;
  readonly where?: Expression;
  /** Every expression GROUP BY names, as written (also those inside GROUPING SETS, ROLLUP, CUBE). */
  readonly groupBy: readonly Expression[];
  /**
   * The elements of a GROUP BY that has GROUPING SETS, ROLLUP, CUBE or `()` among them; absent for a
   * plain list of expressions. Its grouping sets are the cross product of its elements' sets.
   */
  readonly groupingSets?: readonly GroupingElement[];
  readonly having?: Expression;
  /** `WINDOW w AS (...), ...`. */
  readonly windows?: readonly NamedWindow[];
}

/**
 * An element of GROUP BY with grouping sets: an expression (one set of it), `(a, b)` or `()` (one
 * set of those), `GROUPING SETS (element, ...)` (the sets of each element), `ROLLUP (a, (b, c))`
 * (each prefix of its items, longest first) or `CUBE (...)` (every subset of its items).
 */
export type GroupingElement =
  | { readonly kind: 'groupSet'; readonly at: number; readonly expressions: readonly Expression[] }
  | { readonly kind: 'groupingSets'; readonly at: number; readonly elements: readonly GroupingElement[] }
  | {
      readonly kind: 'rollup' | 'cube';
      readonly at: number;
      readonly items: readonly (readonly Expression[])[];
    };

export interface SetOperation extends Node {
  readonly kind: 'setOperation';
  readonly operator: 'UNION' | 'INTERSECT' | 'EXCEPT';
  readonly all: boolean;
  readonly left: Query;
  readonly right: Query;
}

export interface Values extends Node {
  readonly kind: 'values';
  readonly rows: readonly (readonly Expression[])[];
}

export type SelectItem = StarItem | ExpressionItem;

export interface StarItem extends Node {
  readonly kind: 'star';
  readonly qualifier?: QualifiedName;
}

export interface ExpressionItem extends Node {
  readonly kind: 'expression';
  readonly expression: Expression;
  readonly alias?: Identifier;
}

export type TableReference = TableName | DerivedTable | Join | WindowTableFunction | UnnestTable;

/**
 * `UNNEST(collection) [AS] alias [(columns)]`: the rows of an ARRAY, MAP or MULTISET of the row on its
 * left; or, with `tableFunction`, `LATERAL TABLE(f(args)) ...`: the rows a table function gives for it.
 */
export interface UnnestTable extends Node {
  readonly kind: 'unnest';
  /** The collection, or the table function's call. */
  readonly collection: Expression;
  readonly tableFunction?: true;
  readonly alias?: Identifier;
  readonly columnNames?: readonly Identifier[];
}

export interface TableName extends Node {
  readonly kind: 'tableName';
  readonly name: QualifiedName;
  readonly alias?: Identifier;
  /** `FOR SYSTEM_TIME AS OF expr`: a temporal (lookup) join's right side. */
  readonly systemTime?: Expression;
  /**
   * Flink's dynamic table options, `t /*+ OPTIONS('key' = 'value', ...) *\/`: they override the
   * table's options for this reference only.
   */
  readonly options?: readonly TableOption[];
}

export interface DerivedTable extends Node {
  readonly kind: 'derivedTable';
  readonly query: Query;
  readonly alias?: Identifier;
}

export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS';

/** `a CROSS JOIN b` or `a, b`: no condition; every other join has its ON condition. */
export type Join = CrossJoin | ConditionJoin;

interface JoinSides extends Node {
  readonly kind: 'join';
  readonly left: TableReference;
  readonly right: TableReference;
}

export interface CrossJoin extends JoinSides {
  readonly type: 'CROSS';
}

export interface ConditionJoin extends JoinSides {
  readonly type: Exclude<JoinType, 'CROSS'>;
  readonly on: Expression;
}

/**
 * `TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE))` and HOP, CUMULATE, and
 * `SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts), gap)`.
 */
export interface WindowTableFunction extends Node {
  readonly kind: 'windowFunction';
  readonly window: 'TUMBLE' | 'HOP' | 'CUMULATE' | 'SESSION';
  readonly input: TableName | DerivedTable;
  /** SESSION's `PARTITION BY` columns of the input table. */
  readonly partitionBy?: readonly Identifier[];
  readonly timeColumn: Identifier;
  readonly intervals: readonly Expression[];
  readonly alias?: Identifier;
}

// ─── expressions ─────────────────────────────────────────────────────────────────────────────────

export type Expression =
  | Literal
  | ColumnReference
  | UnaryExpression
  | BinaryExpression
  | IsExpression
  | BetweenExpression
  | InExpression
  | LikeExpression
  | CaseExpression
  | CastExpression
  | FunctionCall
  | ExtractExpression
  | IntervalLiteral
  | ExistsExpression
  | InSubquery
  | ScalarSubquery;

export type LiteralType = 'null' | 'boolean' | 'number' | 'string' | 'date' | 'time' | 'timestamp' | 'timestampLtz';

export interface Literal extends Node {
  readonly kind: 'literal';
  readonly type: LiteralType;
  /** The literal as written: digits of a number, contents of a string, TRUE/FALSE, ... */
  readonly text: string;
}

export interface IntervalLiteral extends Node {
  readonly kind: 'interval';
  readonly negative: boolean;
  readonly text: string;
  readonly unit: IntervalUnit;
  readonly toUnit?: IntervalUnit;
}

export type IntervalUnit = 'YEAR' | 'MONTH' | 'DAY' | 'HOUR' | 'MINUTE' | 'SECOND';

export interface ColumnReference extends Node {
  readonly kind: 'column';
  readonly parts: readonly string[];
}

export interface UnaryExpression extends Node {
  readonly kind: 'unary';
  readonly operator: '-' | '+' | 'NOT';
  readonly operand: Expression;
}

export type BinaryOperator =
  | 'OR'
  | 'AND'
  | '='
  | '<>'
  | '<'
  | '<='
  | '>'
  | '>='
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '||'
  | 'IS DISTINCT FROM'
  | 'IS NOT DISTINCT FROM';

export interface BinaryExpression extends Node {
  readonly kind: 'binary';
  readonly operator: BinaryOperator;
  readonly left: Expression;
  readonly right: Expression;
}

/** `x IS [NOT] NULL | TRUE | FALSE | UNKNOWN`. */
export interface IsExpression extends Node {
  readonly kind: 'is';
  readonly operand: Expression;
  readonly test: 'NULL' | 'TRUE' | 'FALSE' | 'UNKNOWN';
  readonly negated: boolean;
}

export interface BetweenExpression extends Node {
  readonly kind: 'between';
  readonly operand: Expression;
  readonly low: Expression;
  readonly high: Expression;
  readonly negated: boolean;
  readonly symmetric: boolean;
}

export interface InExpression extends Node {
  readonly kind: 'in';
  readonly operand: Expression;
  readonly list: readonly Expression[];
  readonly negated: boolean;
}

export interface LikeExpression extends Node {
  readonly kind: 'like';
  readonly operand: Expression;
  readonly pattern: Expression;
  readonly escape?: Expression;
  readonly negated: boolean;
}

export interface CaseExpression extends Node {
  readonly kind: 'case';
  readonly operand?: Expression;
  readonly whens: readonly { readonly when: Expression; readonly result: Expression }[];
  readonly else?: Expression;
}

export interface CastExpression extends Node {
  readonly kind: 'cast';
  readonly operand: Expression;
  readonly type: DataType;
  readonly try: boolean;
}

export interface FunctionCall extends Node {
  readonly kind: 'call';
  /** Upper-cased function name. */
  readonly name: string;
  readonly args: readonly Expression[];
  readonly distinct: boolean;
  /** `COUNT(*)`. */
  readonly star: boolean;
  /** `agg(...) FILTER (WHERE condition)`: the rows the aggregate reads. */
  readonly filter?: Expression;
  /** `OVER (PARTITION BY ... ORDER BY ...)`: a window function (ROW_NUMBER) or an OVER aggregate. */
  readonly over?: WindowSpecification;
}

/** The window of `f(...) OVER (PARTITION BY ... ORDER BY ... [frame])`, or `OVER w`. */
export interface WindowSpecification extends Node {
  /** `OVER w`: a window of the query's WINDOW clause, by name (then nothing else is given). */
  readonly name?: Identifier;
  readonly partitionBy: readonly Expression[];
  readonly orderBy: readonly OrderItem[];
  /** `ROWS ...` or `RANGE ...`, when written. */
  readonly frame?: WindowFrame;
}

/** `ROWS | RANGE BETWEEN lower AND upper` (or `ROWS | RANGE lower`, upper being CURRENT ROW). */
export interface WindowFrame extends Node {
  readonly unit: 'ROWS' | 'RANGE';
  readonly lower: FrameBound;
  readonly upper: FrameBound;
}

export interface FrameBound extends Node {
  readonly kind: 'UNBOUNDED PRECEDING' | 'PRECEDING' | 'CURRENT ROW' | 'FOLLOWING' | 'UNBOUNDED FOLLOWING';
  /** The `n` of `n PRECEDING` / `n FOLLOWING`: a number (ROWS) or an INTERVAL (RANGE). */
  readonly offset?: Expression;
}

/** `WINDOW name AS (...)` after HAVING: a window OVER name refers to. */
export interface NamedWindow extends Node {
  readonly name: Identifier;
  readonly window: WindowSpecification;
}

export interface OrderItem extends Node {
  readonly expression: Expression;
  readonly descending: boolean;
  /** `NULLS FIRST` (true) or `NULLS LAST` (false) when written. */
  readonly nullsFirst?: boolean;
}

export interface ExtractExpression extends Node {
  readonly kind: 'extract';
  readonly unit: TimeUnit;
  readonly operand: Expression;
}

/** `EXISTS (query)`; `NOT EXISTS` is NOT of it. */
export interface ExistsExpression extends Node {
  readonly kind: 'exists';
  readonly query: Query;
}

/** `x [NOT] IN (query)`. */
export interface InSubquery extends Node {
  readonly kind: 'inSubquery';
  readonly operand: Expression;
  readonly query: Query;
  readonly negated: boolean;
}

/** `(query)` as a value: a query of one column and at most one row. */
export interface ScalarSubquery extends Node {
  readonly kind: 'scalarSubquery';
  readonly query: Query;
}

/** The direct sub-expressions of an expression, in source order (not those inside a subquery). */
export function childExpressions(expr: Expression): readonly Expression[] {
  switch (expr.kind) {
    case 'literal':
    case 'interval':
    case 'column':
    case 'exists':
    case 'scalarSubquery':
      return [];
    case 'inSubquery':
      return [expr.operand];
    case 'unary':
    case 'is':
    case 'cast':
    case 'extract':
      return [expr.operand];
    case 'binary':
      return [expr.left, expr.right];
    case 'between':
      return [expr.operand, expr.low, expr.high];
    case 'in':
      return [expr.operand, ...expr.list];
    case 'like':
      return [expr.operand, expr.pattern, ...(expr.escape ? [expr.escape] : [])];
    case 'case':
      return [
        ...(expr.operand ? [expr.operand] : []),
        ...expr.whens.flatMap((w) => [w.when, w.result]),
        ...(expr.else ? [expr.else] : []),
      ];
    case 'call':
      return expr.filter ? [...expr.args, expr.filter] : expr.args;
  }
}
