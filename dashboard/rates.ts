import { useRef } from 'preact/hooks';

/**
 * Per-second rates of counters between two snapshots, by key. A counter that went down (the
 * job restarted and its vertices count again from 0) gives no rate for that interval.
 */
export function useRates(now: number | undefined, counters: ReadonlyMap<string, number>): ReadonlyMap<string, number> {
  const previous = useRef<{ now: number; counters: ReadonlyMap<string, number> } | undefined>(undefined);
  const rates = useRef<ReadonlyMap<string, number>>(new Map());
  if (now !== undefined && previous.current?.now !== now) {
    const before = previous.current;
    if (before && now > before.now) {
      const next = new Map<string, number>();
      for (const [key, value] of counters) {
        const old = before.counters.get(key);
        if (old !== undefined && value >= old) next.set(key, ((value - old) * 1000) / (now - before.now));
      }
      rates.current = next;
    }
    previous.current = { now, counters };
  }
  return rates.current;
}
