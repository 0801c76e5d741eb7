import type { CreateFunctionStatement, Statement } from '../sql/ast.ts';
import type { SqlSource } from '../sql/source.ts';
import { SqlError } from '../sql/sql-error.ts';
import { checkedModulePath, importModule, ModuleLoadError } from './load-module.ts';
import { describeExport, FunctionShapeError, type UserFunction } from './user-function.ts';

/** The function of each CREATE FUNCTION of a script, loaded before the script is planned. */
export type LoadedFunctions = ReadonlyMap<CreateFunctionStatement, UserFunction>;

/**
 * Loads the module of each CREATE FUNCTION (paths relative to `directory`, the script's) and reads
 * its export: planning is synchronous, and importing a module is not. Errors point at the AS string.
 */
export async function loadDeclaredFunctions(
  statements: readonly Statement[],
  source: SqlSource,
  directory: string,
): Promise<LoadedFunctions> {
  const loaded = new Map<CreateFunctionStatement, UserFunction>();
  for (const statement of statements) {
    if (statement.kind !== 'createFunction') continue;
    const fail = (code: string, message: string, hint: string): never => {
      throw new SqlError(code, source, statement.identifierAt, message, hint);
    };
    const hash = statement.identifier.lastIndexOf('#');
    const path = statement.identifier.slice(0, hash);
    const exportName = statement.identifier.slice(hash + 1);
    if (hash <= 0 || exportName === '') {
      fail(
        'SQL_FUNCTION_IDENTIFIER',
        `'${statement.identifier}' does not name a module and an export`,
        "write AS 'path/to/module.ts#exportName', the path relative to the script's directory (a Java class name cannot be loaded here)",
      );
    }
    const name = statement.name.parts[statement.name.parts.length - 1] as string;
    try {
      const modulePath = checkedModulePath(path, directory);
      const module = await importModule(modulePath);
      const fn = describeExport(module[exportName], {
        name,
        identifier: statement.identifier,
        modulePath,
        system: statement.system,
      });
      loaded.set(statement, fn);
    } catch (error) {
      if (error instanceof ModuleLoadError) fail('UDF_MODULE', `function ${name}: ${error.message}`, error.hint);
      if (error instanceof FunctionShapeError)
        fail('UDF_DEFINITION', `function ${name} ('${statement.identifier}'): ${error.message}`, error.hint);
      throw error;
    }
  }
  return loaded;
}
