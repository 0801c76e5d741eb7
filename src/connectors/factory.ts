import type { DataType } from '../types/data-type.ts';
import type { LookupContext, OpenedLookup } from './lookup-source.ts';
import type { OptionSpec } from './options.ts';
import type { SinkContext, SinkWriter } from './sink-writer.ts';
import type { SourceContext, SourceReader } from './source-reader.ts';
import type { ResolvedOptions, TableShape } from './table.ts';

/** How a source emits changes: only inserts, upserts by the primary key, or every kind (+I -U +U -D). */
export type SourceChangelog = 'insert-only' | 'upsert' | 'all';

/**
 * What a sink can consume: only inserts, or updates and deletes too (by its primary key when it
 * has one; a kafka table in a changelog format such as debezium-json takes them without one).
 */
export type SinkAcceptance = 'append-only' | 'upsert';

/**
 * A connector: the options it declares (checked by the registry, as Flink's FactoryUtil does),
 * what the planner needs to know of it, and the parts it makes for the runtime: a source reader, a
 * sink writer, a lookup source. The runtime knows connectors only through this interface.
 */
export interface ConnectorFactory {
  readonly identifier: string;
  readonly description: string;
  readonly options: readonly OptionSpec[];
  /** Options whose value names a format; that format's options are accepted under `prefix<format>.`. */
  readonly formatOptions?: readonly { readonly key: string; readonly prefix: string }[];
  /**
   * The topic a table of this connector writes or reads, when it is one: jobs that share a topic
   * hand records over through it, and the engine's worker pool places them together (see
   * WorkerPool.place).
   */
  readonly topic?: (options: ResolvedOptions) => string | undefined;
  /** Whether its tables may be PARTITIONED BY (...) (a filesystem table's directories). */
  readonly partitioned?: boolean;
  readonly source?: {
    readonly changelog: (options: ResolvedOptions) => SourceChangelog;
    readonly bounded?: boolean;
    /**
     * Whether what it read cannot be read again after a restart (a replication slot moves on): a
     * job could not rebuild operator state from it, so it may feed only projections into sinks.
     */
    readonly readOnce?: boolean;
    /** Readable metadata keys and their types. */
    readonly metadata: Readonly<Record<string, DataType>>;
    open(context: SourceContext): Promise<SourceReader>;
  };
  readonly lookup?: {
    open(context: LookupContext): OpenedLookup;
  };
  readonly sink?: {
    readonly accepts: (table: TableShape, options: ResolvedOptions) => SinkAcceptance;
    readonly metadata?: Readonly<Record<string, DataType>>;
    /** Why a table with these options cannot be written, though it can be read (Flink checks some options for sinks only). */
    readonly writeProblem?: (options: ResolvedOptions) => { message: string; hint?: string } | undefined;
    /** What to do when an append-only table of this connector is given updates (a hint of the planner's error). */
    readonly updatesHint?: string;
    open(context: SinkContext): Promise<SinkWriter>;
  };
  /** Checks across options and the table (primary key rules): an error names the option at fault. */
  readonly validate?: (
    table: TableShape,
    options: ResolvedOptions,
  ) => { message: string; option?: string; hint?: string } | undefined;
}
