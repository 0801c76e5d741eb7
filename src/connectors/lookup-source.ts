import type { LookupCache, LookupResult } from '../exec/lookup-join.ts';
import type { Value } from '../expr/value.ts';
import type { ConnectorTable } from './table.ts';

/** A table read by key for a lookup join: `fields` are its columns, `key` the columns looked up by. */
export interface LookupContext {
  readonly table: ConnectorTable;
}

export interface LookupSource {
  /** The rows of each key (values in the order of the key columns). */
  lookup(keys: readonly Value[][]): Promise<LookupResult>;
  close(): Promise<void>;
}

/** A lookup source and how the join caches what it returns. */
export interface OpenedLookup {
  readonly source: LookupSource;
  readonly cache: LookupCache;
}
