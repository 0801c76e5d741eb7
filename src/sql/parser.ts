import type {
  ColumnDefinition,
  CreateTableStatement,
  CreateViewStatement,
  ExplainStatement,
  Identifier,
  InsertStatement,
  PrimaryKey,
  Statement,
  StatementSet,
  TableOption,
  WatermarkDefinition,
} from './ast.ts';
import { Cursor } from './cursor.ts';
import { parseExpression, parseList } from './parse-expression.ts';
import { parseCreateFunction, parseDropFunction } from './parse-function.ts';
import { parseTableHints } from './parse-hint.ts';
import { parseIdentifier, parseQualifiedName, parseQuery } from './parse-query.ts';
import { isShow, parseShow } from './parse-show.ts';
import { parseDataType } from './parse-type.ts';
import type { SqlSource } from './source.ts';

const STATEMENTS =
  'SET, RESET, CREATE TABLE, CREATE VIEW, CREATE FUNCTION, DROP FUNCTION, INSERT INTO, EXECUTE STATEMENT SET, BEGIN STATEMENT SET, EXPLAIN, SELECT, SHOW TABLES, SHOW FUNCTIONS, DESCRIBE, SHOW CREATE TABLE';

/** Parses a whole script: statements separated by semicolons (the last one may omit it). */
export function parseScript(source: SqlSource): Statement[] {
  const cursor = new Cursor(source);
  const statements: Statement[] = [];
  for (;;) {
    while (cursor.acceptSymbol(';'));
    if (cursor.atEnd()) {
      const hint = cursor.unreadHint();
      if (hint) {
        throw cursor.error(
          hint.at,
          'a hint (/*+ ... */) is read only right after SELECT (query hints) or after a table name (table hints)',
          'move it, or write /* ... */ for a comment',
        );
      }
      return statements;
    }
    statements.push(parseStatement(cursor));
    if (!cursor.atEnd() && !cursor.isSymbol(';')) {
      throw cursor.unexpected("expected ';' after the statement");
    }
  }
}

function parseStatement(cursor: Cursor): Statement {
  const at = cursor.at;
  if (cursor.isKeyword('SET')) return parseSet(cursor);
  if (cursor.acceptKeywords('RESET')) {
    const key = cursor.token.kind === 'string' ? cursor.advance().value : undefined;
    return { kind: 'reset', at, ...(key !== undefined ? { key } : {}) };
  }
  if (cursor.isKeyword('CREATE')) return parseCreate(cursor);
  if (cursor.isKeyword('INSERT')) return parseInsert(cursor);
  if (cursor.isKeyword('EXECUTE') || cursor.isKeyword('BEGIN')) return parseStatementSet(cursor);
  if (cursor.isKeyword('EXPLAIN')) return parseExplain(cursor);
  if (cursor.isKeyword('SELECT') || cursor.isKeyword('VALUES') || cursor.isKeyword('WITH') || cursor.isSymbol('(')) {
    return { kind: 'query', at, query: parseQuery(cursor) };
  }
  if (isShow(cursor)) return parseShow(cursor);
  const dropFunction = cursor.isKeyword('DROP') ? parseDropFunction(cursor) : undefined;
  if (dropFunction) return dropFunction;
  const word = cursor.token.kind === 'word' ? cursor.token.upper : '';
  if (['DROP', 'ALTER', 'USE', 'SHOW', 'DESCRIBE', 'DESC', 'LOAD', 'UNLOAD', 'ADD', 'REMOVE'].includes(word)) {
    throw cursor.error(at, `${word} statements are not supported`, `statements: ${STATEMENTS}`, 'SQL_UNSUPPORTED');
  }
  throw cursor.unexpected('expected a statement', `statements: ${STATEMENTS}`);
}

/** SET 'key' = 'value' (Flink's form); also SET key = value and a bare SET. */
function parseSet(cursor: Cursor): Statement {
  const at = cursor.advance().offset;
  if (cursor.isSymbol(';') || cursor.token.kind === 'eof') return { kind: 'set', at };
  let key: string;
  if (cursor.token.kind === 'string') {
    key = cursor.advance().value;
  } else {
    key = parseQualifiedName(cursor).parts.join('.');
  }
  cursor.expectSymbol('=');
  const token = cursor.token;
  if (token.kind !== 'string' && token.kind !== 'word' && token.kind !== 'number') {
    throw cursor.unexpected(`expected a value for '${key}'`, "write SET 'key' = 'value';");
  }
  cursor.advance();
  return { kind: 'set', at, key, value: token.value };
}

function parseCreate(cursor: Cursor): Statement {
  const at = cursor.advance().offset;
  const temporary = cursor.acceptKeywords('TEMPORARY');
  if (cursor.acceptKeywords('TABLE')) return parseCreateTable(cursor, at, temporary);
  if (cursor.acceptKeywords('VIEW')) return parseCreateView(cursor, at, temporary);
  const system = cursor.acceptKeywords('SYSTEM');
  if (system && !temporary)
    throw cursor.error(at, 'a SYSTEM function is temporary', 'write CREATE TEMPORARY SYSTEM FUNCTION', 'SQL_SYNTAX');
  if (cursor.acceptKeywords('FUNCTION')) return parseCreateFunction(cursor, at, temporary, system);
  if (cursor.isKeyword('CATALOG') || cursor.isKeyword('DATABASE')) {
    throw cursor.error(
      at,
      `CREATE ${cursor.token.upper} is not supported`,
      'Rivulet has one catalog built from the script',
      'SQL_UNSUPPORTED',
    );
  }
  throw cursor.unexpected('expected TABLE, VIEW or FUNCTION after CREATE');
}

function parseIfNotExists(cursor: Cursor): boolean {
  return cursor.acceptKeywords('IF', 'NOT', 'EXISTS');
}

function parseCreateTable(cursor: Cursor, at: number, temporary: boolean): CreateTableStatement {
  const ifNotExists = parseIfNotExists(cursor);
  const name = parseQualifiedName(cursor);
  cursor.expectSymbol('(');
  const columns: ColumnDefinition[] = [];
  let primaryKey: PrimaryKey | undefined;
  let watermark: WatermarkDefinition | undefined;
  const setPrimaryKey = (key: PrimaryKey) => {
    if (primaryKey)
      throw cursor.error(key.at, 'a table can have only one PRIMARY KEY', undefined, 'SQL_DUPLICATE_PRIMARY_KEY');
    primaryKey = key;
  };
  do {
    const elementAt = cursor.at;
    if (cursor.acceptKeywords('CONSTRAINT')) parseIdentifier(cursor, 'a constraint name');
    if (cursor.isKeyword('PRIMARY')) {
      setPrimaryKey(parsePrimaryKey(cursor, elementAt, undefined));
    } else if (cursor.acceptKeywords('WATERMARK')) {
      if (watermark)
        throw cursor.error(elementAt, 'a table can have only one WATERMARK', undefined, 'SQL_DUPLICATE_WATERMARK');
      cursor.expectKeywords('FOR');
      const column = parseIdentifier(cursor, 'the rowtime column');
      cursor.expectKeywords('AS');
      watermark = { at: elementAt, column, expression: parseExpression(cursor) };
    } else if (cursor.isKeyword('PERIOD') || cursor.isKeyword('LIKE')) {
      throw cursor.error(
        elementAt,
        `${cursor.token.upper} in CREATE TABLE is not supported`,
        undefined,
        'SQL_UNSUPPORTED',
      );
    } else {
      const column = parseColumn(cursor);
      columns.push(column.definition);
      if (column.primaryKeyAt !== undefined) {
        setPrimaryKey({ at: column.primaryKeyAt, columns: [column.definition.name], enforced: false });
      }
    }
  } while (cursor.acceptSymbol(','));
  cursor.expectSymbol(')');
  const comment = cursor.acceptKeywords('COMMENT') ? cursor.expectString('the comment').value : undefined;
  let partitionedBy: Identifier[] | undefined;
  if (cursor.acceptKeywords('PARTITIONED', 'BY')) {
    cursor.expectSymbol('(');
    partitionedBy = parseList(cursor, (c) => parseIdentifier(c, 'a partition column'));
    cursor.expectSymbol(')');
  }
  const options = cursor.acceptKeywords('WITH') ? parseOptions(cursor) : [];
  if (cursor.isKeyword('LIKE')) {
    throw cursor.error(
      cursor.at,
      'CREATE TABLE ... LIKE is not supported yet',
      'write out the columns and options',
      'SQL_UNSUPPORTED',
    );
  }
  return {
    kind: 'createTable',
    at,
    name,
    temporary,
    ifNotExists,
    columns,
    options,
    ...(primaryKey ? { primaryKey } : {}),
    ...(watermark ? { watermark } : {}),
    ...(comment !== undefined ? { comment } : {}),
    ...(partitionedBy ? { partitionedBy } : {}),
  };
}

function parsePrimaryKey(cursor: Cursor, at: number, _column: Identifier | undefined): PrimaryKey {
  cursor.expectKeywords('PRIMARY', 'KEY');
  cursor.expectSymbol('(');
  const columns = parseList(cursor, (c) => parseIdentifier(c, 'a key column'));
  cursor.expectSymbol(')');
  return { at, columns, enforced: parseEnforcement(cursor, at) };
}

/** Flink only accepts NOT ENFORCED: it cannot check uniqueness of data it does not own. */
function parseEnforcement(cursor: Cursor, at: number): boolean {
  if (cursor.acceptKeywords('NOT', 'ENFORCED')) return false;
  throw cursor.error(
    at,
    'PRIMARY KEY must be declared NOT ENFORCED',
    'Flink does not own the data, so it cannot enforce the key: write PRIMARY KEY (...) NOT ENFORCED',
    'SQL_PRIMARY_KEY_ENFORCED',
  );
}

function parseColumn(cursor: Cursor): { definition: ColumnDefinition; primaryKeyAt?: number } {
  const at = cursor.at;
  const name = parseIdentifier(cursor, 'a column name');
  if (cursor.acceptKeywords('AS')) {
    const expression = parseExpression(cursor);
    const comment = parseComment(cursor);
    return { definition: { kind: 'computed', at, name, expression, ...(comment !== undefined ? { comment } : {}) } };
  }
  const type = parseDataType(cursor);
  if (cursor.acceptKeywords('METADATA')) {
    const key = cursor.acceptKeywords('FROM') ? cursor.expectString('the metadata key').value : undefined;
    const virtual = cursor.acceptKeywords('VIRTUAL');
    const comment = parseComment(cursor);
    return {
      definition: {
        kind: 'metadata',
        at,
        name,
        type,
        virtual,
        ...(key !== undefined ? { key } : {}),
        ...(comment !== undefined ? { comment } : {}),
      },
    };
  }
  let primaryKeyAt: number | undefined;
  if (cursor.isKeyword('PRIMARY')) {
    primaryKeyAt = cursor.at;
    cursor.expectKeywords('PRIMARY', 'KEY');
    parseEnforcement(cursor, primaryKeyAt);
  }
  const comment = parseComment(cursor);
  return {
    definition: { kind: 'physical', at, name, type, ...(comment !== undefined ? { comment } : {}) },
    ...(primaryKeyAt !== undefined ? { primaryKeyAt } : {}),
  };
}

function parseComment(cursor: Cursor): string | undefined {
  return cursor.acceptKeywords('COMMENT') ? cursor.expectString('the comment').value : undefined;
}

function parseOptions(cursor: Cursor): TableOption[] {
  cursor.expectSymbol('(');
  const options: TableOption[] = [];
  if (cursor.acceptSymbol(')')) return options;
  do {
    const at = cursor.at;
    const key = cursor.expectString("an option key (WITH ('key' = 'value', ...))").value;
    cursor.expectSymbol('=');
    const value = cursor.expectString(`the value of '${key}'`).value;
    if (options.some((option) => option.key === key)) {
      throw cursor.error(at, `option '${key}' is given twice`, 'keep one of them', 'SQL_DUPLICATE_OPTION');
    }
    options.push({ at, key, value });
  } while (cursor.acceptSymbol(','));
  cursor.expectSymbol(')');
  return options;
}

function parseCreateView(cursor: Cursor, at: number, temporary: boolean): CreateViewStatement {
  const ifNotExists = parseIfNotExists(cursor);
  const name = parseQualifiedName(cursor);
  let columnNames: Identifier[] | undefined;
  if (cursor.acceptSymbol('(')) {
    columnNames = parseList(cursor, (c) => parseIdentifier(c, 'a column name'));
    cursor.expectSymbol(')');
  }
  cursor.expectKeywords('AS');
  const query = parseQuery(cursor);
  return { kind: 'createView', at, name, temporary, ifNotExists, query, ...(columnNames ? { columnNames } : {}) };
}

function parseInsert(cursor: Cursor): InsertStatement {
  const at = cursor.advance().offset;
  const overwrite = cursor.acceptKeywords('OVERWRITE');
  if (overwrite) {
    throw cursor.error(
      at,
      'INSERT OVERWRITE is for batch jobs and is not supported',
      'use INSERT INTO',
      'SQL_UNSUPPORTED',
    );
  }
  cursor.expectKeywords('INTO');
  const target = parseQualifiedName(cursor);
  const targetHint = cursor.takeHint();
  const targetOptions = targetHint ? parseTableHints(cursor, targetHint) : undefined;
  let columnNames: Identifier[] | undefined;
  if (
    cursor.isSymbol('(') &&
    (cursor.peek().kind === 'word' || cursor.peek().kind === 'quoted') &&
    !cursor.isKeyword('SELECT', 1) &&
    !cursor.isKeyword('WITH', 1)
  ) {
    cursor.advance();
    columnNames = parseList(cursor, (c) => parseIdentifier(c, 'a column name'));
    cursor.expectSymbol(')');
  }
  const query = parseQuery(cursor);
  return {
    kind: 'insert',
    at,
    target,
    overwrite,
    query,
    ...(columnNames ? { columnNames } : {}),
    ...(targetOptions ? { targetOptions } : {}),
  };
}

/** EXECUTE STATEMENT SET BEGIN ...; END and the SQL client's BEGIN STATEMENT SET; ...; END. */
function parseStatementSet(cursor: Cursor): StatementSet {
  const at = cursor.at;
  if (cursor.acceptKeywords('EXECUTE')) {
    cursor.expectKeywords('STATEMENT', 'SET', 'BEGIN');
  } else {
    cursor.expectKeywords('BEGIN', 'STATEMENT', 'SET');
    cursor.acceptSymbol(';');
  }
  const inserts: InsertStatement[] = [];
  for (;;) {
    while (cursor.acceptSymbol(';'));
    if (cursor.acceptKeywords('END')) break;
    if (!cursor.isKeyword('INSERT')) {
      throw cursor.unexpected(
        'expected INSERT INTO or END in the statement set',
        'a statement set holds only INSERT statements',
      );
    }
    inserts.push(parseInsert(cursor));
    if (!cursor.isSymbol(';')) throw cursor.unexpected("expected ';' after the INSERT");
  }
  if (inserts.length === 0)
    throw cursor.error(at, 'the statement set is empty', 'put one or more INSERT INTO statements in it');
  return { kind: 'statementSet', at, inserts };
}

function parseExplain(cursor: Cursor): ExplainStatement {
  const at = cursor.advance().offset;
  const details: string[] = [];
  if (cursor.acceptKeywords('PLAN', 'FOR')) {
    // EXPLAIN PLAN FOR <statement>: no details
  } else {
    const DETAILS = ['ESTIMATED_COST', 'CHANGELOG_MODE', 'JSON_EXECUTION_PLAN', 'PLAN_ADVICE'];
    while (cursor.token.kind === 'word' && DETAILS.includes(cursor.token.upper)) {
      details.push(cursor.advance().upper);
      cursor.acceptSymbol(',');
    }
  }
  const statement = parseStatement(cursor);
  if (statement.kind !== 'insert' && statement.kind !== 'statementSet' && statement.kind !== 'query') {
    throw cursor.error(
      statement.at,
      'EXPLAIN takes a query, an INSERT or a statement set',
      undefined,
      'SQL_UNSUPPORTED',
    );
  }
  return { kind: 'explain', at, details, statement };
}
