import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';

/** Appends are gathered in a buffer of this size before one write. */
const WRITE_BUFFER = 1024 * 1024;
/** A read takes this much at once, so that most records need one system call. */
const READ_AHEAD = 4096;

/**
 * An append-only file of length-prefixed records of one-byte text (latin1: packed rows, see
 * src/state/packed-row.ts), read back by offset. It is scratch space: a restarted job rebuilds its
 * state by replay, so nothing here has to survive the process and nothing is synced. Records are
 * copied into reused buffers, so that spilling millions of them does not fragment the process's
 * native memory. Records no longer referenced are garbage until the owner rewrites the file.
 */
export class SpillFile {
  private readonly fd: number;
  private readonly pending = Buffer.allocUnsafe(WRITE_BUFFER);
  private pendingBytes = 0;
  /** Bytes written to the file so far. */
  private written = 0;
  private readBuffer = Buffer.allocUnsafe(READ_AHEAD);

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w+');
  }

  /** Bytes in the file, written or gathered. */
  get size(): number {
    return this.written + this.pendingBytes;
  }

  /** Appends one record; returns its offset. */
  append(text: string): number {
    const offset = this.size;
    const length = text.length;
    if (this.pendingBytes + 4 + length > WRITE_BUFFER) this.flush();
    if (4 + length > WRITE_BUFFER) {
      const record = Buffer.allocUnsafe(4 + length);
      record.writeUInt32LE(length, 0);
      record.write(text, 4, 'latin1');
      this.writeAll(record);
      return offset;
    }
    this.pending.writeUInt32LE(length, this.pendingBytes);
    this.pending.write(text, this.pendingBytes + 4, 'latin1');
    this.pendingBytes += 4 + length;
    return offset;
  }

  /** The record at `offset`, with how many bytes it takes in the file. */
  read(offset: number): { text: string; bytes: number } {
    if (offset + 4 > this.written) this.flush();
    let got = readSync(this.fd, this.readBuffer, 0, READ_AHEAD, offset);
    const length = this.readBuffer.readUInt32LE(0);
    if (4 + length > this.readBuffer.length) {
      const bigger = Buffer.allocUnsafe(4 + length);
      this.readBuffer.copy(bigger, 0, 0, got);
      this.readBuffer = bigger;
    }
    while (got < 4 + length) {
      const n = readSync(this.fd, this.readBuffer, got, 4 + length - got, offset + got);
      if (n === 0) throw new Error(`spill file ${this.path} ends inside the record at ${offset}`);
      got += n;
    }
    const text = this.readBuffer.toString('latin1', 4, 4 + length);
    if (this.readBuffer.length > READ_AHEAD) this.readBuffer = Buffer.allocUnsafe(READ_AHEAD);
    return { text, bytes: 4 + length };
  }

  flush(): void {
    if (this.pendingBytes === 0) return;
    this.writeAll(this.pending.subarray(0, this.pendingBytes));
    this.pendingBytes = 0;
  }

  private writeAll(data: Buffer): void {
    let done = 0;
    while (done < data.length) done += writeSync(this.fd, data, done, data.length - done, this.written + done);
    this.written += data.length;
  }

  /** Closes and deletes the file. */
  remove(): void {
    closeSync(this.fd);
    rmSync(this.path, { force: true });
  }
}
