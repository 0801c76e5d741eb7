import { RivuletError } from '../common/errors.ts';
import type { SqlSource } from './source.ts';

/** A user error located in a SQL script: `file:line:col: what` plus what to do. */
export class SqlError extends RivuletError {
  readonly location: string;

  constructor(code: string, source: SqlSource, offset: number, message: string, hint?: string) {
    super(code, `${source.where(offset)}: ${message}`, hint);
    this.location = source.where(offset);
  }
}
