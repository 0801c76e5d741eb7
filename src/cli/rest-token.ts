import { relative } from 'node:path';
import { RivuletError } from '../common/errors.ts';
import type { Workspace } from '../embedded/workspace.ts';
import { readNamedFile } from './options.ts';

export interface RestTokenOptions {
  readonly restToken?: string;
  readonly restTokenFile?: string;
}

/** The REST API's token and where it came from (to say so; the token itself is never printed). */
export interface RestToken {
  readonly token: string;
  readonly source: string;
}

/** A token travels in a header: visible ASCII, no spaces. */
function usable(token: string, source: string): RestToken {
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new RivuletError(
      'BAD_OPTION',
      `the REST token from ${source} must be one word of visible ASCII characters (it is sent as Authorization: Bearer <token>)`,
    );
  }
  return { token, source };
}

/**
 * The token of the REST API: `--rest-token`, else the first line of `--rest-token-file`, else
 * RIVULET_REST_TOKEN, else the data directory's own (`<data-dir>/rest-token`, made once, mode 0600).
 */
export function restToken(options: RestTokenOptions, workspace: Workspace): RestToken {
  if (options.restToken !== undefined && options.restTokenFile !== undefined) {
    throw new RivuletError('BAD_OPTION', '--rest-token and --rest-token-file both give the token', 'give only one');
  }
  if (options.restToken !== undefined) return usable(options.restToken, '--rest-token');
  if (options.restTokenFile !== undefined) {
    const text = readNamedFile(options.restTokenFile, `--rest-token-file ${options.restTokenFile}`);
    return usable(text.split('\n')[0]?.trim() ?? '', `--rest-token-file ${options.restTokenFile}`);
  }
  const fromEnvironment = process.env.RIVULET_REST_TOKEN;
  if (fromEnvironment) return usable(fromEnvironment, 'RIVULET_REST_TOKEN');
  const where = relative(process.cwd(), workspace.restTokenFile) || workspace.restTokenFile;
  return usable(workspace.restToken(), where);
}
