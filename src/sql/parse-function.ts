import type { CreateFunctionStatement, DropFunctionStatement } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { parseQualifiedName } from './parse-query.ts';

/** The languages of Flink's LANGUAGE clause that run on a JVM or in Python, which this engine cannot load. */
const FOREIGN_LANGUAGES = new Set(['JAVA', 'SCALA', 'PYTHON']);

/**
 * After CREATE [TEMPORARY [SYSTEM]] FUNCTION (the cursor past FUNCTION): `[IF NOT EXISTS] name AS
 * '<module>#<export>' [LANGUAGE TYPESCRIPT | JAVASCRIPT]`, as Flink writes it.
 */
export function parseCreateFunction(
  cursor: Cursor,
  at: number,
  temporary: boolean,
  system: boolean,
): CreateFunctionStatement {
  const ifNotExists = cursor.acceptKeywords('IF', 'NOT', 'EXISTS');
  const name = parseQualifiedName(cursor);
  cursor.expectKeywords('AS');
  const identifierAt = cursor.at;
  const identifier = cursor.expectString("the function's module and export ('path/to/module.ts#exportName')").value;
  let language: CreateFunctionStatement['language'] = 'TYPESCRIPT';
  if (cursor.acceptKeywords('LANGUAGE')) {
    const languageAt = cursor.at;
    const word = cursor.token.kind === 'word' ? cursor.advance().upper : '';
    if (word === 'TYPESCRIPT' || word === 'JAVASCRIPT') language = word;
    else if (FOREIGN_LANGUAGES.has(word)) {
      throw cursor.error(
        languageAt,
        `LANGUAGE ${word} is not supported: Rivulet runs in Node.js and loads functions written in TypeScript or JavaScript`,
        `write the function in TypeScript (or JavaScript), export it from a module beside the script, and declare it with AS 'module.ts#export' LANGUAGE TYPESCRIPT (see docs/udf.md)`,
        'SQL_UNSUPPORTED_LANGUAGE',
      );
    } else {
      throw cursor.error(languageAt, 'expected TYPESCRIPT or JAVASCRIPT after LANGUAGE', undefined, 'SQL_SYNTAX');
    }
  }
  if (cursor.isKeyword('USING')) {
    throw cursor.error(
      cursor.at,
      'USING JAR is not supported: a function is loaded from the module named in AS',
      "remove USING ...; write AS 'module.ts#export'",
      'SQL_UNSUPPORTED',
    );
  }
  return { kind: 'createFunction', at, name, temporary, system, ifNotExists, identifier, identifierAt, language };
}

/** `DROP [TEMPORARY [SYSTEM]] FUNCTION [IF EXISTS] name`, or undefined (nothing consumed) for another DROP. */
export function parseDropFunction(cursor: Cursor): DropFunctionStatement | undefined {
  const at = cursor.at;
  const temporary = cursor.isKeyword('TEMPORARY', 1);
  const system = temporary && cursor.isKeyword('SYSTEM', 2);
  const keywords = ['DROP', ...(temporary ? ['TEMPORARY'] : []), ...(system ? ['SYSTEM'] : []), 'FUNCTION'];
  if (!cursor.acceptKeywords(...keywords)) return undefined;
  const ifExists = cursor.acceptKeywords('IF', 'EXISTS');
  return { kind: 'dropFunction', at, name: parseQualifiedName(cursor), temporary, system, ifExists };
}
