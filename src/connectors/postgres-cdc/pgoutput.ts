/**
 * Decoding of PostgreSQL's logical replication protocol as the pgoutput plugin speaks it (protocol
 * version 1): the CopyData frames of a START_REPLICATION stream and the messages inside them.
 * Column values stay in PostgreSQL's text form; pg-values.ts turns them into Flink values.
 */

/** Microseconds between 1970-01-01 and PostgreSQL's epoch 2000-01-01. */
const PG_EPOCH_MICROS = 946_684_800_000_000n;

export interface RelationColumn {
  readonly name: string;
  readonly typeOid: number;
  readonly typeModifier: number;
  readonly isKey: boolean;
}

export interface Relation {
  readonly id: number;
  readonly schema: string;
  readonly name: string;
  /** 'd' default (primary key), 'n' nothing, 'f' full, 'i' index. */
  readonly replicaIdentity: string;
  readonly columns: readonly RelationColumn[];
}

/** A column value: text, NULL, or a TOASTed value the update did not change (not sent). */
export type TupleValue = string | null | typeof UNCHANGED_TOAST;
export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged TOAST value');

export type PgOutputMessage =
  | { readonly tag: 'begin'; readonly finalLsn: bigint; readonly commitMicros: number; readonly xid: number }
  | { readonly tag: 'commit'; readonly commitLsn: bigint; readonly endLsn: bigint; readonly commitMicros: number }
  | { readonly tag: 'relation'; readonly relation: Relation }
  | { readonly tag: 'insert'; readonly relationId: number; readonly tuple: TupleValue[] }
  | {
      readonly tag: 'update';
      readonly relationId: number;
      /** The old row: its key columns ('K') or every column ('O', REPLICA IDENTITY FULL), if sent. */
      readonly old?: TupleValue[];
      readonly tuple: TupleValue[];
    }
  | { readonly tag: 'delete'; readonly relationId: number; readonly old: TupleValue[] }
  | { readonly tag: 'truncate'; readonly relationIds: readonly number[] }
  | { readonly tag: 'other'; readonly code: string };

/** A frame of the replication stream. */
export type ReplicationFrame =
  | { readonly tag: 'xlog'; readonly walStart: bigint; readonly walEnd: bigint; readonly message: PgOutputMessage }
  | { readonly tag: 'keepalive'; readonly walEnd: bigint; readonly replyRequested: boolean };

class Reader {
  offset = 0;
  constructor(private readonly buffer: Buffer) {}
  byte(): number {
    return this.buffer.readUInt8(this.offset++);
  }
  int16(): number {
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }
  int32(): number {
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  uint64(): bigint {
    const value = this.buffer.readBigUInt64BE(this.offset);
    this.offset += 8;
    return value;
  }
  int64(): bigint {
    const value = this.buffer.readBigInt64BE(this.offset);
    this.offset += 8;
    return value;
  }
  cstring(): string {
    const end = this.buffer.indexOf(0, this.offset);
    const text = this.buffer.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return text;
  }
  text(length: number): string {
    const text = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return text;
  }
}

/** PostgreSQL timestamps (microseconds since 2000-01-01) as microseconds since the Unix epoch. */
function epochMicros(pgMicros: bigint): number {
  return Number(pgMicros + PG_EPOCH_MICROS);
}

function tuple(reader: Reader): TupleValue[] {
  const count = reader.int16();
  const values: TupleValue[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const kind = String.fromCharCode(reader.byte());
    if (kind === 'n') values[i] = null;
    else if (kind === 'u') values[i] = UNCHANGED_TOAST;
    else if (kind === 't') values[i] = reader.text(reader.int32());
    else throw new Error(`pgoutput: unexpected tuple value kind '${kind}'`);
  }
  return values;
}

function message(reader: Reader): PgOutputMessage {
  const code = String.fromCharCode(reader.byte());
  switch (code) {
    case 'B':
      return {
        tag: 'begin',
        finalLsn: reader.uint64(),
        commitMicros: epochMicros(reader.int64()),
        xid: reader.int32(),
      };
    case 'C': {
      reader.byte(); // flags, unused
      return {
        tag: 'commit',
        commitLsn: reader.uint64(),
        endLsn: reader.uint64(),
        commitMicros: epochMicros(reader.int64()),
      };
    }
    case 'R': {
      const id = reader.int32();
      const schema = reader.cstring();
      const name = reader.cstring();
      const replicaIdentity = String.fromCharCode(reader.byte());
      const count = reader.int16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < count; i++) {
        const isKey = (reader.byte() & 1) === 1;
        columns.push({ isKey, name: reader.cstring(), typeOid: reader.int32() >>> 0, typeModifier: reader.int32() });
      }
      return { tag: 'relation', relation: { id, schema, name, replicaIdentity, columns } };
    }
    case 'I': {
      const relationId = reader.int32();
      reader.byte(); // 'N'
      return { tag: 'insert', relationId, tuple: tuple(reader) };
    }
    case 'U': {
      const relationId = reader.int32();
      let kind = String.fromCharCode(reader.byte());
      let old: TupleValue[] | undefined;
      if (kind === 'K' || kind === 'O') {
        old = tuple(reader);
        kind = String.fromCharCode(reader.byte());
      }
      return old
        ? { tag: 'update', relationId, old, tuple: tuple(reader) }
        : { tag: 'update', relationId, tuple: tuple(reader) };
    }
    case 'D': {
      const relationId = reader.int32();
      reader.byte(); // 'K' or 'O'
      return { tag: 'delete', relationId, old: tuple(reader) };
    }
    case 'T': {
      const count = reader.int32();
      reader.byte(); // options
      const relationIds: number[] = [];
      for (let i = 0; i < count; i++) relationIds.push(reader.int32());
      return { tag: 'truncate', relationIds };
    }
    default:
      return { tag: 'other', code };
  }
}

/** Decodes one CopyData payload of a logical replication stream. */
export function decodeFrame(chunk: Buffer): ReplicationFrame | undefined {
  const reader = new Reader(chunk);
  const kind = String.fromCharCode(reader.byte());
  if (kind === 'w') {
    const walStart = reader.uint64();
    const walEnd = reader.uint64();
    reader.int64(); // server send time
    return { tag: 'xlog', walStart, walEnd, message: message(reader) };
  }
  if (kind === 'k') {
    const walEnd = reader.uint64();
    reader.int64();
    return { tag: 'keepalive', walEnd, replyRequested: reader.byte() === 1 };
  }
  return undefined;
}

/** A standby status update: what the client has written, flushed and applied. */
export function standbyStatus(flushed: bigint): Buffer {
  const buffer = Buffer.alloc(34);
  buffer.write('r', 0);
  buffer.writeBigUInt64BE(flushed, 1);
  buffer.writeBigUInt64BE(flushed, 9);
  buffer.writeBigUInt64BE(flushed, 17);
  buffer.writeBigInt64BE(BigInt(Date.now()) * 1000n - PG_EPOCH_MICROS, 25);
  buffer.writeUInt8(0, 33);
  return buffer;
}

/** '16/B374D848' ⇄ 0x16B374D848. */
export function parseLsn(text: string): bigint {
  const [high, low] = text.split('/');
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
}
