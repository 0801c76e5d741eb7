import type { ShowStatement } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { parseQualifiedName } from './parse-query.ts';

const SUPPORTED =
  'SHOW TABLES, SHOW FUNCTIONS, SHOW USER FUNCTIONS, DESCRIBE <table>, DESC <table>, SHOW CREATE TABLE <table>';

/** Whether the statement is one parseShow reads: SHOW TABLES, [USER] FUNCTIONS, CREATE TABLE, DESCRIBE. */
export function isShow(cursor: Cursor): boolean {
  if (cursor.isKeyword('DESCRIBE') || cursor.isKeyword('DESC')) return true;
  if (!cursor.isKeyword('SHOW')) return false;
  return (
    cursor.isKeyword('TABLES', 1) ||
    cursor.isKeyword('FUNCTIONS', 1) ||
    (cursor.isKeyword('USER', 1) && cursor.isKeyword('FUNCTIONS', 2)) ||
    (cursor.isKeyword('CREATE', 1) && cursor.isKeyword('TABLE', 2))
  );
}

/** The SQL client's catalog statements, as Flink 1.18 writes them (without LIKE filters or other databases). */
export function parseShow(cursor: Cursor): ShowStatement {
  const at = cursor.at;
  let statement: ShowStatement;
  if (cursor.acceptKeywords('DESCRIBE') || cursor.acceptKeywords('DESC')) {
    if (cursor.isKeyword('EXTENDED'))
      throw cursor.error(
        cursor.at,
        'DESCRIBE EXTENDED is not supported',
        `write DESCRIBE <table>; statements: ${SUPPORTED}`,
        'SQL_UNSUPPORTED',
      );
    statement = { kind: 'show', at, what: 'describe', table: parseQualifiedName(cursor) };
  } else if (cursor.acceptKeywords('SHOW', 'CREATE', 'TABLE')) {
    statement = { kind: 'show', at, what: 'createTable', table: parseQualifiedName(cursor) };
  } else if (cursor.acceptKeywords('SHOW', 'TABLES')) {
    statement = { kind: 'show', at, what: 'tables' };
  } else if (cursor.acceptKeywords('SHOW', 'USER', 'FUNCTIONS')) {
    statement = { kind: 'show', at, what: 'userFunctions' };
  } else {
    cursor.expectKeywords('SHOW', 'FUNCTIONS');
    statement = { kind: 'show', at, what: 'functions' };
  }
  if (!cursor.atEnd() && !cursor.isSymbol(';')) {
    throw cursor.error(
      cursor.at,
      `${cursor.source.text.slice(at, cursor.at).trim()} takes nothing more here`,
      `Rivulet has one catalog and database, and no LIKE filter; statements: ${SUPPORTED}`,
      'SQL_UNSUPPORTED',
    );
  }
  return statement;
}
