import { readdirSync, readFileSync } from 'node:fs';

/** Linux counts a process's CPU time in clock ticks of 1/100 s (USER_HZ). */
export const TICKS_PER_SECOND = 100;

export interface Stat {
  readonly ppid: number;
  /** utime and stime, in ticks. */
  readonly ownTicks: number;
  /** cutime and cstime: its children that have ended and been waited for, in ticks. */
  readonly childrenTicks: number;
}

/** /proc/<pid>/stat, or undefined once the process is gone. */
export function processStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The fields after the command name, which may itself hold spaces and parentheses: state is [0].
  const fields = text
    .slice(text.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  const field = (n: number) => fields[n] ?? 0;
  return { ppid: field(1), ownTicks: field(11) + field(12), childrenTicks: field(13) + field(14) };
}

/** User + system CPU seconds of a process so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  return (processStat(pid)?.ownTicks ?? 0) / TICKS_PER_SECOND;
}

/** The roots and every process below them, from the parent pids in /proc. */
function processTree(roots: readonly number[]): Map<number, Stat> {
  const all = new Map<number, Stat>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const s = processStat(pid);
    if (s) all.set(pid, s);
  }
  const tree = new Map<number, Stat>();
  let frontier = roots.filter((pid) => all.has(pid));
  while (frontier.length > 0) {
    for (const pid of frontier) tree.set(pid, all.get(pid) as Stat);
    frontier = [...all].filter(([pid, s]) => !tree.has(pid) && tree.has(s.ppid)).map(([pid]) => pid);
  }
  return tree;
}

/** Resident and proportional set sizes (each shared page divided among the processes that map it). */
function memory(pid: number): { rss: number; pss: number } {
  let text = '';
  try {
    text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    // gone meanwhile
  }
  const kib = (name: string) => Number(text.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0) * 1024;
  return { rss: kib('Rss'), pss: kib('Pss') };
}

export interface TreeUsage {
  readonly processes: number;
  /**
   * User + system CPU seconds of the tree's processes, with those of their children that have
   * ended (a PostgreSQL backend's, once the postmaster has waited for it).
   */
  readonly cpuSeconds: number;
  /** Sum of the processes' resident sets: a page shared by several (PostgreSQL's buffers) counts in each. */
  readonly rssBytes: number;
  /** Sum of the processes' proportional sets: a shared page counts once in all. */
  readonly pssBytes: number;
}

/** CPU and memory of the processes under the roots (a root and all its descendants), read from /proc. */
export function treeUsage(roots: readonly number[]): TreeUsage {
  const tree = processTree(roots);
  let ticks = 0;
  let rss = 0;
  let pss = 0;
  for (const [pid, s] of tree) {
    ticks += s.ownTicks + s.childrenTicks;
    const m = memory(pid);
    rss += m.rss;
    pss += m.pss;
  }
  return { processes: tree.size, cpuSeconds: ticks / TICKS_PER_SECOND, rssBytes: rss, pssBytes: pss };
}
