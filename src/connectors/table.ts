import type { DataType, RowField } from '../types/data-type.ts';
import type { OptionValue } from './options.ts';

/** What a factory's checks see of a table before it is planned. */
export interface TableShape {
  readonly name: string;
  readonly primaryKey: readonly string[] | undefined;
  readonly hasWatermark: boolean;
  /** The physical columns, by name, in order. */
  readonly columns: readonly string[];
  /** The types of the physical columns, in the same order, where the caller knows them. */
  readonly columnTypes?: readonly DataType[];
  /** The columns of PARTITIONED BY (...), in order; only connectors with `partitioned` take them. */
  readonly partitionKeys?: readonly string[];
}

/** A table's options after its factory checked them: declared keys with typed values, defaults filled in. */
export interface ResolvedOptions {
  get(key: string): OptionValue | undefined;
  /** Keys under a prefix option, such as `properties.` → { 'bootstrap.servers': ... }. */
  withPrefix(prefix: string): ReadonlyMap<string, string>;
}

/** A table as the runtime hands it to its connector: the fields read or written, the key, the options. */
export interface ConnectorTable {
  readonly name: string;
  /** The columns read or written, in order. */
  readonly fields: readonly RowField[];
  /** Positions in `fields` of the primary key (a topic's message key, a sink's upsert key); empty without one. */
  readonly key: readonly number[];
  readonly options: ResolvedOptions;
  /** The columns of PARTITIONED BY (...), by name; none when not partitioned. */
  readonly partitionKeys?: readonly string[];
}
