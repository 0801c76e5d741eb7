import pg from 'pg';
import { RivuletError } from '../../common/errors.ts';
import type { Change, RowKind } from '../../exec/change.ts';
import type { Row, Value } from '../../expr/value.ts';
import { formatLsn } from '../../types/lsn.ts';
import { clientConfig, describeConnection, textClientConfig } from '../pg/connection.ts';
import { quoteIdentifier } from '../pg/quote.ts';
import { pgTextReader, ValueError } from '../pg/value-text.ts';
import type { ReplayedBatch, SourceContext, SourceMetric, SourceReader } from '../source-reader.ts';
import { type PgOutputMessage, type Relation, type TupleValue, UNCHANGED_TOAST } from './pgoutput.ts';
import { connectError, preflight, type SourceTableInfo } from './preflight.ts';
import { ReplicationStream } from './replication-stream.ts';
import { type CdcSettings, type CdcTable, cdcPositionTopic, cdcSettings } from './settings.ts';
import { slotMetrics } from './slot-metrics.ts';

/** How far past the batch size a poll reads to end at a source transaction's end. */
const TRANSACTION_OVERSHOOT = 4;

/** How each column of the captured relation becomes the field of the output row. */
interface RelationLayout {
  readonly relation: Relation;
  /** For each output field: the relation column it reads, or -1 for a metadata field. */
  readonly sources: readonly number[];
  readonly readers: readonly ((text: string) => Value)[];
  readonly keyColumns: readonly number[];
}

interface Snapshot {
  readonly client: pg.Client;
  readonly consistentPoint: bigint;
  /** The next FETCH, sent while the job writes the rows of the previous one. */
  next?: { readonly rows: number; readonly result: Promise<pg.QueryResult> };
}

/**
 * Reads one PostgreSQL table's changes: first a snapshot of its rows, consistent with the slot's
 * starting point, then the slot's stream. Output may be committed only at a commit point (after
 * the whole snapshot, and between source transactions); its position is the LSN at the end of
 * the last whole transaction, and the slot is told to release WAL only up to a position that the
 * job has committed downstream (`committed`).
 */
export class PostgresCdcReader implements SourceReader {
  readonly replaying = false;
  readonly ended = false;
  private stream: ReplicationStream | undefined;
  private snapshot: Snapshot | undefined;
  private layout: RelationLayout | undefined;
  private snapshotColumns: RelationLayout | undefined;
  private inTransaction = false;
  private skipping = false;
  private commitMicros = 0;
  private lastCommitted: bigint;
  private serverWal = 0n;
  private lastHeartbeat = Date.now();
  private toastClient: pg.Client | undefined;
  private truncateWarned = false;
  /** LSN at the end of the last whole transaction read: where the job resumes. */
  private lsn: bigint;
  /**
   * Where the changes returned so far end. A poll under way reads ahead of it, and a commit the
   * job makes meanwhile (for another source) must not cover what the job has not received yet.
   */
  private delivered: { readonly lsn: bigint; readonly atCommitPoint: boolean };
  /** Whether the latest poll found nothing to read (the slot's stream was idle), for the lag metric. */
  private caughtUp = false;

  private constructor(
    private readonly table: CdcTable,
    private readonly settings: CdcSettings,
    private readonly info: SourceTableInfo,
    resumeFrom: bigint,
    private readonly warn: (message: string) => void,
  ) {
    this.lsn = resumeFrom;
    this.lastCommitted = resumeFrom;
    this.delivered = { lsn: resumeFrom, atCommitPoint: true };
  }

  /** Opens the table's reader for a job, where the job committed last. */
  static async forJob(context: SourceContext): Promise<PostgresCdcReader> {
    const table: CdcTable = { ...context.table, columns: context.columns };
    const committed = (await context.committedPositions(cdcPositionTopic(table))).get(0);
    return PostgresCdcReader.open(table, committed, context.warn);
  }

  /** Opens the reader after the preflight; `committed` is the position the job committed last, if any. */
  static async open(
    table: CdcTable,
    committed: bigint | undefined,
    warn: (message: string) => void = () => undefined,
  ): Promise<PostgresCdcReader> {
    const settings = cdcSettings(table);
    const info = await preflight(settings.connection, settings.target);
    const { connection, target } = settings;
    const where = describeConnection(connection);
    let stream: ReplicationStream;
    try {
      stream = await ReplicationStream.connect(clientConfig(connection), settings.queueSize);
    } catch (cause) {
      throw connectError(connection, cause);
    }
    try {
      if (committed !== undefined) {
        if (!info.slot.exists) {
          throw new RivuletError(
            'CDC_SLOT_LOST',
            `replication slot '${target.slot}' at ${where} is gone; changes after ${formatLsn(committed)} can no longer be read`,
            'to capture the table again from a new snapshot, cancel the job, drop its committed positions (or use a new job name) and resubmit',
          );
        }
        const reader = new PostgresCdcReader(table, settings, info, committed, warn);
        reader.stream = stream;
        stream.start(target.slot, committed, target.publication);
        return reader;
      }
      if (settings.startup === 'latest-offset') {
        const from = info.slot.exists
          ? (info.slot.confirmedFlush ?? 0n)
          : await stream.createSlotWithoutSnapshot(target.slot);
        const reader = new PostgresCdcReader(table, settings, info, from, warn);
        reader.stream = stream;
        stream.start(target.slot, from, target.publication);
        return reader;
      }
      // Nothing was ever committed from this slot: start over with a fresh slot and its snapshot.
      if (info.slot.exists) {
        warn(`replication slot '${target.slot}' exists but nothing read from it was committed; recreating it`);
        await stream.dropSlot(target.slot);
      }
      const slot = await stream.createSlot(target.slot);
      const client = new pg.Client(textClientConfig(connection));
      client.on('error', () => undefined);
      await client.connect();
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(`SET TRANSACTION SNAPSHOT ${pg.escapeLiteral(slot.snapshotName)}`);
      await stream.releaseSnapshot();
      const columns = target.columns.map((c) => quoteIdentifier(c)).join(', ');
      await client.query(
        `DECLARE rivulet_snapshot NO SCROLL CURSOR FOR SELECT ${columns} FROM ${quoteIdentifier(target.schema)}.${quoteIdentifier(target.table)}`,
      );
      const reader = new PostgresCdcReader(table, settings, info, slot.consistentPoint, warn);
      reader.stream = stream;
      reader.snapshot = { client, consistentPoint: slot.consistentPoint };
      reader.delivered = { lsn: slot.consistentPoint, atCommitPoint: false };
      return reader;
    } catch (error) {
      await stream.close();
      throw error;
    }
  }

  /** Whether output so far may be committed: not inside the snapshot or a source transaction. */
  get atCommitPoint(): boolean {
    return this.delivered.atCommitPoint;
  }

  /** The position to commit with the output read so far (an LSN). */
  get position(): bigint {
    return this.delivered.lsn;
  }

  get positionTopic(): string {
    return cdcPositionTopic(this.table);
  }

  /** The position as a commit records it: the LSN as the offset of partition 0. */
  positions(): ReadonlyMap<number, bigint> {
    return new Map([[0, this.delivered.lsn]]);
  }

  describePositions(positions: ReadonlyMap<number, bigint>): string {
    const lsn = positions.get(0);
    return lsn === undefined ? 'LSN (none)' : `LSN ${formatLsn(lsn)}`;
  }

  get newestSourceMicros(): number {
    return this.commitMicros;
  }

  /** Whether the position moved since the last commit without output (a heartbeat on an idle table). */
  get moved(): boolean {
    return this.delivered.lsn !== this.lastCommitted && this.delivered.atCommitPoint;
  }

  /** The job has durably committed output up to the LSN: the slot may release the WAL before it. */
  committed(positions: ReadonlyMap<number, bigint>): void {
    const lsn = positions.get(0);
    if (lsn === undefined) return;
    this.lastCommitted = lsn;
    this.stream?.acknowledge(lsn);
  }

  async poll(batchSize: number, timeoutMs: number): Promise<Change[]> {
    const max = Math.min(batchSize, this.settings.maxBatchSize ?? batchSize);
    const changes = this.snapshot ? await this.pollSnapshot(this.snapshot, max) : await this.pollStream(max, timeoutMs);
    this.delivered = { lsn: this.lsn, atCommitPoint: !this.snapshot && !this.inTransaction };
    this.caughtUp = changes.length === 0;
    return changes;
  }

  /** A slot is read from where the job committed: nothing is read again. */
  async replay(max: number): Promise<ReplayedBatch> {
    return { replayed: [], fresh: await this.poll(max, 200) };
  }

  /** The slot's lag and the WAL it retains on the source server. */
  metrics(): Promise<readonly SourceMetric[]> {
    const lagSeconds =
      this.caughtUp || this.commitMicros === 0 ? 0 : Math.max(0, Date.now() / 1000 - this.commitMicros / 1e6);
    return slotMetrics(this.settings.connection, this.settings.target.slot, lagSeconds);
  }

  private async pollStream(max: number, timeoutMs: number): Promise<Change[]> {
    const stream = this.stream as ReplicationStream;
    const out: Change[] = [];
    const deadline = Date.now() + timeoutMs;
    // A batch ends at a transaction's end where it can, so that it can be committed; only a source
    // transaction much larger than a batch is handed over in parts. Debezium's max.batch.size is a
    // hard limit: a transaction larger than it is always handed over in parts.
    const limit = this.settings.maxBatchSize === undefined ? max * TRANSACTION_OVERSHOOT : max;
    while (out.length < limit) {
      if (!this.inTransaction && (out.length >= max || (out.length > 0 && !stream.ready))) break;
      const remaining = deadline - Date.now();
      if (!stream.ready && remaining <= 0) break;
      const frame = await stream.next(Math.max(remaining, 0));
      if (!frame) break;
      if (frame.tag === 'keepalive') {
        if (frame.walEnd > this.serverWal) this.serverWal = frame.walEnd;
        continue;
      }
      await this.handle(frame.message, frame.walStart, out);
    }
    this.heartbeat();
    return out;
  }

  /** On an idle table, moves the position to the server's WAL end so the slot does not pin WAL. */
  private heartbeat(): void {
    if (this.snapshot || this.inTransaction || this.serverWal <= this.lsn) return;
    if (Date.now() - this.lastHeartbeat < this.settings.heartbeatMs) return;
    this.lastHeartbeat = Date.now();
    this.lsn = this.serverWal;
  }

  private async pollSnapshot(snapshot: Snapshot, max: number): Promise<Change[]> {
    // Rows per round trip: the fetch size, or a whole batch of the job when that is larger; never
    // more than Debezium's max.batch.size, since a poll gives the rows of one round trip.
    const rows = Math.min(
      Math.max(max, this.settings.fetchSize),
      this.settings.maxBatchSize ?? Number.POSITIVE_INFINITY,
    );
    const fetch = snapshot.next ?? this.fetchSnapshot(snapshot, rows);
    snapshot.next = undefined;
    const result = await fetch.result;
    const done = result.rows.length < fetch.rows;
    if (!done) snapshot.next = this.fetchSnapshot(snapshot, rows);
    const layout = this.snapshotLayout(result.fields);
    const out: Change[] = new Array(result.rows.length);
    const values = result.rows as unknown as (string | null)[][];
    for (let i = 0; i < values.length; i++) {
      out[i] = { kind: '+I', row: this.row(layout, values[i] as (string | null)[], '+I', 0, snapshot.consistentPoint) };
    }
    if (done) {
      await snapshot.client.query('COMMIT');
      await snapshot.client.end();
      this.snapshot = undefined;
      const { target } = this.settings;
      (this.stream as ReplicationStream).start(target.slot, snapshot.consistentPoint, target.publication);
    }
    return out;
  }

  private fetchSnapshot(snapshot: Snapshot, rows: number): NonNullable<Snapshot['next']> {
    const result = snapshot.client.query({
      text: `FETCH ${rows} FROM rivulet_snapshot`,
      rowMode: 'array',
    } as pg.QueryConfig);
    // A failure surfaces when the rows are asked for; a reader closed meanwhile never asks.
    result.catch(() => undefined);
    return { rows, result };
  }

  /** The snapshot reads the physical columns in the order of the output's physical fields. */
  private snapshotLayout(fields: readonly pg.FieldDef[]): RelationLayout {
    if (this.snapshotColumns) return this.snapshotColumns;
    const relation: Relation = {
      id: 0,
      schema: this.settings.target.schema,
      name: this.settings.target.table,
      replicaIdentity: 'd',
      columns: fields.map((field) => ({ name: field.name, typeOid: field.dataTypeID, typeModifier: -1, isKey: false })),
    };
    this.snapshotColumns = this.layoutOf(relation, false);
    return this.snapshotColumns;
  }

  private layoutOf(relation: Relation, keep = true): RelationLayout {
    const sources = this.table.columns.map((column) =>
      'physical' in column ? relation.columns.findIndex((c) => c.name === column.physical) : -1,
    );
    const missing = this.table.columns.filter((column, i) => 'physical' in column && sources[i] === -1);
    if (missing.length > 0) {
      throw new RivuletError(
        'CDC_SCHEMA_MISMATCH',
        `table ${relation.schema}.${relation.name} no longer has column ${missing.map((c) => ('physical' in c ? `'${c.physical}'` : '')).join(', ')}`,
        `declare the columns it has: ${relation.columns.map((c) => c.name).join(', ')}`,
      );
    }
    const readers = this.table.fields.map((field, i) => {
      const source = sources[i] as number;
      return source === -1 ? () => null : pgTextReader(field.type, relation.columns[source]?.typeOid ?? 0);
    });
    // With REPLICA IDENTITY FULL every column is flagged as key; the primary key is the row's identity.
    const keyNames = this.info.primaryKey;
    const keyColumns = relation.columns.flatMap((c, i) =>
      (keyNames.length > 0 ? keyNames.includes(c.name) : c.isKey) ? [i] : [],
    );
    const layout: RelationLayout = { relation, sources, readers, keyColumns };
    if (keep) this.layout = layout;
    return layout;
  }

  private async handle(message: PgOutputMessage, lsn: bigint, out: Change[]): Promise<void> {
    switch (message.tag) {
      case 'begin':
        this.inTransaction = true;
        this.skipping = message.finalLsn < this.lastCommitted;
        this.commitMicros = message.commitMicros;
        return;
      case 'commit':
        this.inTransaction = false;
        if (!this.skipping && message.endLsn > this.lsn) this.lsn = message.endLsn;
        this.skipping = false;
        return;
      case 'relation': {
        const { relation } = message;
        if (relation.schema === this.settings.target.schema && relation.name === this.settings.target.table) {
          this.layoutOf(relation);
        }
        return;
      }
      case 'insert':
      case 'update':
      case 'delete': {
        const layout = this.layout;
        if (this.skipping || !layout || message.relationId !== layout.relation.id) return;
        await this.changes(layout, message, lsn, out);
        return;
      }
      case 'truncate':
        if (
          !this.settings.skipped.has('t') &&
          this.layout &&
          message.relationIds.includes(this.layout.relation.id) &&
          !this.truncateWarned
        ) {
          this.truncateWarned = true;
          this.warn(
            `TRUNCATE of ${this.settings.target.schema}.${this.settings.target.table} is not captured (as in Flink CDC); downstream keeps its rows`,
          );
        }
        return;
      case 'other':
        return;
    }
  }

  private async changes(
    layout: RelationLayout,
    message: Extract<PgOutputMessage, { tag: 'insert' | 'update' | 'delete' }>,
    lsn: bigint,
    out: Change[],
  ): Promise<void> {
    const micros = Math.floor(this.commitMicros / 1000) * 1000;
    const time = micros / 1000;
    const { skipped } = this.settings;
    if (message.tag === 'insert') {
      if (skipped.has('c')) return;
      out.push({
        kind: '+I',
        row: this.row(layout, await this.filled(layout, message.tuple), '+I', micros, lsn),
        time,
      });
      return;
    }
    if (message.tag === 'delete') {
      if (skipped.has('d')) return;
      out.push({ kind: '-D', row: this.row(layout, message.old, '-D', micros, lsn), time });
      return;
    }
    const full = layout.relation.replicaIdentity === 'f' ? message.old : undefined;
    const after = await this.filled(layout, message.tuple, full);
    const keyChanged = message.old !== undefined && layout.keyColumns.some((i) => message.old?.[i] !== after[i]);
    if (keyChanged) {
      if (!skipped.has('d'))
        out.push({ kind: '-D', row: this.row(layout, message.old as TupleValue[], '-D', micros, lsn), time });
      if (!skipped.has('c')) out.push({ kind: '+I', row: this.row(layout, after, '+I', micros, lsn), time });
      return;
    }
    if (skipped.has('u')) return;
    // The row before an update is only in the WAL with REPLICA IDENTITY FULL; otherwise the
    // update is an upsert by key, which is what the log and upsert sinks keep.
    if (full) out.push({ kind: '-U', row: this.row(layout, full, '-U', micros, lsn), time });
    out.push({ kind: '+U', row: this.row(layout, after, '+U', micros, lsn), time });
  }

  /** A TOASTed value the update did not touch is not in the WAL: take it from the old row or the table. */
  private async filled(layout: RelationLayout, tuple: TupleValue[], old?: TupleValue[]): Promise<TupleValue[]> {
    if (!tuple.includes(UNCHANGED_TOAST)) return tuple;
    const values = [...tuple];
    const missing = values.flatMap((v, i) => (v === UNCHANGED_TOAST && old?.[i] === undefined ? [i] : []));
    for (const [i, v] of values.entries())
      if (v === UNCHANGED_TOAST && old?.[i] !== undefined) values[i] = old[i] as TupleValue;
    if (missing.length === 0) return values;
    const columns = layout.relation.columns;
    const key = layout.keyColumns;
    const client = await this.toast();
    const result = await client.query({
      text: `SELECT ${missing.map((i) => `${quoteIdentifier(columns[i]?.name as string)}::text`).join(', ')}
               FROM ${quoteIdentifier(layout.relation.schema)}.${quoteIdentifier(layout.relation.name)}
              WHERE ${key.map((i, n) => `${quoteIdentifier(columns[i]?.name as string)}::text = $${n + 1}`).join(' AND ')}`,
      values: key.map((i) => values[i]),
      rowMode: 'array',
    } as pg.QueryConfig);
    const row = (result.rows[0] as unknown as (string | null)[] | undefined) ?? [];
    for (const [n, i] of missing.entries()) values[i] = row[n] ?? null;
    return values;
  }

  private async toast(): Promise<pg.Client> {
    if (!this.toastClient) {
      const client = new pg.Client(textClientConfig(this.settings.connection));
      client.on('error', () => undefined);
      await client.connect();
      this.toastClient = client;
    }
    return this.toastClient;
  }

  private row(layout: RelationLayout, tuple: readonly TupleValue[], kind: RowKind, opMicros: number, lsn: bigint): Row {
    const fields = this.table.fields;
    const row: Value[] = new Array(fields.length);
    for (let i = 0; i < fields.length; i++) {
      const source = layout.sources[i] as number;
      if (source === -1) {
        row[i] = this.metadata((this.table.columns[i] as { metadata: string }).metadata, kind, opMicros, lsn);
        continue;
      }
      const text = tuple[source];
      if (text === null || text === undefined || text === UNCHANGED_TOAST) {
        row[i] = null;
        continue;
      }
      try {
        row[i] = (layout.readers[i] as (text: string) => Value)(text);
      } catch (error) {
        if (!(error instanceof ValueError)) throw error;
        const field = fields[i]?.name;
        throw new RivuletError(
          'CDC_VALUE_INVALID',
          `column '${field}' of ${this.settings.target.schema}.${this.settings.target.table} at LSN ${formatLsn(lsn)}: ${error.message}`,
          `declare '${field}' in table '${this.table.name}' with a type that holds the value, or fix the row at the source`,
        );
      }
    }
    return row;
  }

  private metadata(key: string, kind: RowKind, opMicros: number, lsn: bigint): Value {
    switch (key) {
      case 'op_ts':
        return opMicros;
      case 'source.lsn':
        return lsn;
      case 'row_kind':
        return kind;
      case 'database_name':
        return this.settings.connection.database;
      case 'schema_name':
        return this.settings.target.schema;
      case 'table_name':
        return this.settings.target.table;
      default:
        return null;
    }
  }

  async close(): Promise<void> {
    await this.snapshot?.client.end().catch(() => undefined);
    await this.toastClient?.end().catch(() => undefined);
    await this.stream?.close();
    if (this.settings.dropSlotOnStop) {
      const client = new pg.Client(clientConfig(this.settings.connection));
      client.on('error', () => undefined);
      try {
        await client.connect();
        // The walsender may take a moment to let go of the slot after the connection closes.
        for (let attempt = 0; attempt < 50; attempt++) {
          const result = await client.query(
            'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NULL',
            [this.settings.target.slot],
          );
          const left = await client.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [
            this.settings.target.slot,
          ]);
          if (result.rowCount !== 0 || left.rowCount === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  }
}
