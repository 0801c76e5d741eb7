/**
 * Keyed timers, as Flink's timer service keeps them for a keyed operator: at most one timer per key
 * and time (registering it again changes nothing), fired in order of time, the keys of one time in
 * the order they registered. Times are milliseconds (event time or processing time).
 */
export class TimerQueue {
  private readonly byTime = new Map<number, Set<unknown>>();
  /** The times of byTime as a binary min-heap. */
  private readonly heap: number[] = [];

  get size(): number {
    return this.byTime.size;
  }

  register(time: number, key: unknown): void {
    let keys = this.byTime.get(time);
    if (!keys) {
      keys = new Set();
      this.byTime.set(time, keys);
      this.push(time);
    }
    keys.add(key);
  }

  /** Fires every timer at or before `time`, including those registered by `fire` meanwhile. */
  fire(time: number, fire: (timer: number, key: unknown) => void): void {
    while (this.heap.length > 0 && (this.heap[0] as number) <= time) {
      const timer = this.pop();
      const keys = this.byTime.get(timer) as Set<unknown>;
      this.byTime.delete(timer);
      for (const key of keys) fire(timer, key);
    }
  }

  private push(time: number): void {
    const heap = this.heap;
    heap.push(time);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((heap[parent] as number) <= time) break;
      heap[i] = heap[parent] as number;
      i = parent;
    }
    heap[i] = time;
  }

  private pop(): number {
    const heap = this.heap;
    const top = heap[0] as number;
    const last = heap.pop() as number;
    if (heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && (heap[right] as number) < (heap[left] as number) ? right : left;
      if ((heap[child] as number) >= last) break;
      heap[i] = heap[child] as number;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
