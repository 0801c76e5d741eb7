import type { CreateFunctionStatement, DropFunctionStatement } from '../sql/ast.ts';
import type { SqlSource } from '../sql/source.ts';
import { SqlError } from '../sql/sql-error.ts';
import type { UserFunction } from '../udf/user-function.ts';
import { AGGREGATE_FUNCTIONS, isBuiltInFunction } from './built-in-functions.ts';
import { objectName } from './object-name.ts';

/** A declared function with how it was declared. */
interface Declared {
  readonly fn: UserFunction;
  readonly temporary: boolean;
}

/**
 * The user-defined functions of a script, by upper-cased name (Flink looks functions up
 * case-insensitively). A script's functions are its own: two scripts may declare one name differently.
 */
export class FunctionCatalog {
  private readonly functions = new Map<string, Declared>();

  /** The function of that name, if the script declared one. */
  get(name: string): UserFunction | undefined {
    return this.functions.get(name.toUpperCase())?.fn;
  }

  /** Records a CREATE FUNCTION whose module was loaded (see loadDeclaredFunctions). */
  create(statement: CreateFunctionStatement, fn: UserFunction, source: SqlSource): void {
    const name = objectName(statement.name, source);
    const key = name.toUpperCase();
    if (this.functions.has(key)) {
      if (statement.ifNotExists) return;
      throw new SqlError(
        'SQL_ALREADY_EXISTS',
        source,
        statement.name.at,
        `function '${name}' already exists`,
        'use another name, DROP FUNCTION it first, or CREATE FUNCTION IF NOT EXISTS',
      );
    }
    if (AGGREGATE_FUNCTIONS.has(key)) {
      throw new SqlError(
        'SQL_FUNCTION_NAME',
        source,
        statement.name.at,
        `'${name}' is the name of a built-in aggregate function`,
        'give the function another name',
      );
    }
    if (!statement.system && isBuiltInFunction(key)) {
      throw new SqlError(
        'SQL_FUNCTION_NAME',
        source,
        statement.name.at,
        `a call of '${name}' would run the built-in function ${key}: Flink resolves built-in functions before catalog functions`,
        `give the function another name, or CREATE TEMPORARY SYSTEM FUNCTION ${name} to call it in place of the built-in one`,
      );
    }
    this.functions.set(key, { fn, temporary: statement.temporary });
  }

  drop(statement: DropFunctionStatement, source: SqlSource): void {
    const name = objectName(statement.name, source);
    const declared = this.functions.get(name.toUpperCase());
    const kind = statement.system ? 'temporary system' : statement.temporary ? 'temporary' : '';
    if (!declared || declared.fn.system !== statement.system || declared.temporary !== statement.temporary) {
      if (statement.ifExists) return;
      throw new SqlError(
        'SQL_UNKNOWN_FUNCTION',
        source,
        statement.name.at,
        `${kind ? `${kind} ` : ''}function '${name}' does not exist`,
        declared
          ? `it was created as a ${declared.fn.system ? 'temporary system' : declared.temporary ? 'temporary' : 'catalog'} function: drop it with the same words`
          : 'DROP FUNCTION IF EXISTS does nothing for a missing function',
      );
    }
    this.functions.delete(name.toUpperCase());
  }

  /** The declared functions, by name: what SHOW FUNCTIONS adds to the built-in ones (SHOW USER FUNCTIONS alone). */
  list(): UserFunction[] {
    return [...this.functions.values()].map((declared) => declared.fn).sort((a, b) => a.name.localeCompare(b.name));
  }
}

/** The names of the user-defined functions a script declared, sorted, as SHOW USER FUNCTIONS lists them. */
export function userFunctionNames(functions: FunctionCatalog): string[] {
  return functions.list().map((fn) => fn.name);
}
