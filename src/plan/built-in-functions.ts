import { callableFunctionNames } from '../expr/functions/registry.ts';

/** Aggregate function names: bound by the aggregate planner, never as scalar calls. */
export const AGGREGATE_FUNCTIONS = new Set([
  'COUNT',
  'SUM',
  'AVG',
  'MIN',
  'MAX',
  'SUM0',
  'FIRST_VALUE',
  'LAST_VALUE',
  'LISTAGG',
  'STDDEV_POP',
  'STDDEV_SAMP',
  'VAR_POP',
  'VAR_SAMP',
  'STDDEV',
  'VARIANCE',
  'COLLECT',
  'JSON_OBJECTAGG_NULL_ON_NULL',
  'JSON_OBJECTAGG_ABSENT_ON_NULL',
  'JSON_ARRAYAGG_NULL_ON_NULL',
  'JSON_ARRAYAGG_ABSENT_ON_NULL',
]);

let builtIns: ReadonlySet<string> | undefined;

/** Whether a built-in function (not an operator, which has its own syntax) has this upper-case name. */
export function isBuiltInFunction(name: string): boolean {
  builtIns ??= new Set(callableFunctionNames());
  return builtIns.has(name.toUpperCase());
}
