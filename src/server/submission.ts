import { isAbsolute } from 'node:path';
import type { Refusal } from './request-guard.ts';

/** A script submitted to POST /sql: `{name?, script, variables?, fromScratch?}`. */
export interface Submission {
  readonly name: string;
  readonly script: string;
  readonly variables: ReadonlyMap<string, string>;
  /** Read the sources again from their start rather than resume from the job names' positions. */
  readonly fromScratch: boolean;
  /** The script's directory (absolute), which its functions' module paths are relative to; the engine's working directory when absent. */
  readonly directory?: string;
}

/** The submission in a JSON body, or what is wrong with it. */
export function submission(body: unknown): Submission | Refusal {
  const bad = (message: string): Refusal => ({ status: 400, message: `Bad Request: ${message}` });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return bad('the body must be a JSON object {"script": "…", "name"?: "…", "variables"?: {"NAME": "value"}}');
  }
  const { name, script, variables, fromScratch, directory, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0)
    return bad(
      `unknown fields ${unknown.map((key) => `'${key}'`).join(', ')}; the fields are script, name, variables, fromScratch, directory`,
    );
  if (fromScratch !== undefined && typeof fromScratch !== 'boolean') return bad("'fromScratch' must be true or false");
  if (typeof script !== 'string') return bad("'script' must be a string: the SQL to run");
  if (name !== undefined && typeof name !== 'string') return bad("'name' must be a string");
  if (directory !== undefined && (typeof directory !== 'string' || !isAbsolute(directory)))
    return bad("'directory' must be an absolute path: the script's directory");
  if (variables !== undefined && (typeof variables !== 'object' || variables === null || Array.isArray(variables))) {
    return bad("'variables' must be an object of names to string values");
  }
  const entries = Object.entries((variables ?? {}) as Record<string, unknown>);
  const notText = entries.filter(([, value]) => typeof value !== 'string').map(([key]) => `'${key}'`);
  if (notText.length > 0)
    return bad(
      `the values of variables must be strings; ${notText.join(', ')} ${notText.length === 1 ? 'is' : 'are'} not`,
    );
  return {
    name: name ?? 'script.sql',
    script,
    variables: new Map(entries as [string, string][]),
    fromScratch: fromScratch === true,
    ...(directory !== undefined ? { directory } : {}),
  };
}
