import type { DataType } from '../types/data-type.ts';
import type { OptionSpec, OptionValue } from './options.ts';

/** How a source emits changes: only inserts, upserts by the primary key, or every kind (+I -U +U -D). */
export type SourceChangelog = 'insert-only' | 'upsert' | 'all';

/** What a sink can consume: only inserts, or updates and deletes by its primary key. */
export type SinkAcceptance = 'append-only' | 'upsert';

export interface TableShape {
  readonly name: string;
  readonly primaryKey: readonly string[] | undefined;
  readonly hasWatermark: boolean;
}

export interface ResolvedOptions {
  get(key: string): OptionValue | undefined;
  /** Keys under a prefix option, such as `properties.` → { 'bootstrap.servers': ... }. */
  withPrefix(prefix: string): ReadonlyMap<string, string>;
}

export interface ConnectorFactory {
  readonly identifier: string;
  readonly description: string;
  readonly options: readonly OptionSpec[];
  /** Options whose value names a format; that format's options are accepted under `prefix<format>.`. */
  readonly formatOptions?: readonly { readonly key: string; readonly prefix: string }[];
  readonly source?: {
    readonly changelog: (options: ResolvedOptions) => SourceChangelog;
    readonly bounded?: boolean;
    readonly lookup?: boolean;
    /** Readable metadata keys and their types. */
    readonly metadata: Readonly<Record<string, DataType>>;
  };
  readonly sink?: {
    readonly accepts: (table: TableShape) => SinkAcceptance;
    readonly metadata?: Readonly<Record<string, DataType>>;
  };
  /** Checks across options and the table (primary key rules): an error names the option at fault. */
  readonly validate?: (
    table: TableShape,
    options: ResolvedOptions,
  ) => { message: string; option?: string; hint?: string } | undefined;
}
