/** A V8 CPU profile (the inspector's `Profiler.Profile`, the content of a .cpuprofile file). */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string };
    readonly children?: readonly number[];
  }[];
  /** Microseconds. */
  readonly startTime: number;
  readonly endTime: number;
  /** The node on top of the stack at each sample. */
  readonly samples: readonly number[];
  /** Microseconds from the previous sample (the first: from startTime). */
  readonly timeDeltas: readonly number[];
}

/**
 * The pseudo-frames V8 puts on top when no JavaScript runs. `(idle)` is what Node flags while its
 * event loop polls: from before it waits for I/O until after the poll's callbacks, so the native
 * part of reading and writing sockets is in it, and JavaScript that the callbacks run is not.
 */
const PSEUDO: Readonly<Record<string, string>> = {
  '(garbage collector)': 'GC',
  '(idle)': 'idle (event loop poll: waiting, and its native I/O)',
  '(program)': 'program (V8 and Node outside JavaScript)',
  '(root)': 'program (V8 and Node outside JavaScript)',
};
export const NO_CALLER = 'V8 built-ins with no JavaScript caller';

/**
 * The code area of a script's URL: the folder of src/ (two levels under src/connectors and
 * src/log: src/connectors/postgres-cdc, src/log/postgres), the package of node_modules, `node
 * internals` (node:…), another folder of the repository, or `other JavaScript`. `root` is the
 * repository's file URL, with its trailing slash.
 */
export function areaOfUrl(url: string, root: string): string {
  const path = url.replace(/[?#].*$/, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const [scope, name] = path.slice(modules + '/node_modules/'.length).split('/');
    return `node_modules/${scope?.startsWith('@') ? `${scope}/${name}` : scope}`;
  }
  if (path.startsWith('node:')) return 'node internals';
  if (!path.startsWith(root)) return 'other JavaScript';
  const parts = path.slice(root.length).split('/');
  if (parts[0] !== 'src') return parts.length > 1 ? (parts[0] as string) : 'other JavaScript';
  const deep = (parts[1] === 'connectors' || parts[1] === 'log') && parts.length > 3;
  return parts.slice(0, deep ? 3 : parts.length > 2 ? 2 : 1).join('/');
}

/** A profile's self time by area: seconds each, the largest first, and the time the samples cover. */
export interface ProfileAreas {
  readonly seconds: number;
  readonly areas: readonly { readonly area: string; readonly seconds: number }[];
}

/**
 * The self time of each sample's top frame, by the area of its script. A frame with no script (a
 * V8 built-in such as JSON.parse or Array.prototype.push, a native function of Node) counts in the
 * area of the nearest caller that has one: its time is its caller's work. A sample lasts until the
 * next one (the last: until endTime), as Chrome's DevTools count it.
 */
export function profileAreas(profile: CpuProfile, root: string): ProfileAreas {
  const parent = new Map<number, number>();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const areaOf = new Map<number, string>();
  const area = (id: number): string => {
    const known = areaOf.get(id);
    if (known) return known;
    const frame = byId.get(id)?.callFrame;
    let found: string;
    if (!frame) found = NO_CALLER;
    else if (frame.url) found = areaOfUrl(frame.url, root);
    else if (PSEUDO[frame.functionName]) found = PSEUDO[frame.functionName] as string;
    else {
      const up = parent.get(id);
      const callerArea = up === undefined ? NO_CALLER : area(up);
      // The caller is the root (or another pseudo-frame): no JavaScript called it.
      found = Object.values(PSEUDO).includes(callerArea) ? NO_CALLER : callerArea;
    }
    areaOf.set(id, found);
    return found;
  };
  const seconds = new Map<string, number>();
  let at = profile.startTime;
  const times = profile.timeDeltas.map((delta) => {
    at += delta;
    return at;
  });
  let total = 0;
  profile.samples.forEach((id, i) => {
    const duration = ((times[i + 1] ?? profile.endTime) - (times[i] as number)) / 1e6;
    total += duration;
    const name = area(id);
    seconds.set(name, (seconds.get(name) ?? 0) + duration);
  });
  return {
    seconds: total,
    areas: [...seconds].map(([name, s]) => ({ area: name, seconds: s })).sort((a, b) => b.seconds - a.seconds),
  };
}
