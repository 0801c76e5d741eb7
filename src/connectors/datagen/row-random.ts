/**
 * The random numbers of one generated row, drawn from a seed of the job's scan and the row's
 * number: a row generated again (a restarted job rebuilding its state) gets the same values.
 */
export class RowRandom {
  private state = 0;

  /** A seed for a scan: the same name gives the same rows. */
  static seedOf(name: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
    return hash >>> 0;
  }

  /** Starts the numbers of row `index` (a safe integer). */
  reset(seed: number, index: number): void {
    const high = Math.floor(index / 0x1_0000_0000);
    this.state = mix(mix(seed ^ (index >>> 0)) ^ high);
  }

  /** A uniform 32-bit unsigned integer (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  float(): number {
    return ((this.next() >>> 5) * 67108864 + (this.next() >>> 6)) / 9007199254740992;
  }

  /** A uniform integer from `min` to `max`, both included (safe integers). */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** A uniform 64-bit integer from `min` to `max`, both included. */
  bigint(min: bigint, max: bigint): bigint {
    const span = max - min + 1n;
    const bits = (BigInt(this.next()) << 32n) | BigInt(this.next());
    return min + (span > 0n ? bits % span : 0n);
  }
}

function mix(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
