import { createHash } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The local directory of a `path` option: a plain path or a `file://` URI. Any other scheme is
 * refused, with the reason: Rivulet reads and writes the local filesystem only.
 */
export function localDirectory(path: string): { readonly dir: string } | { readonly error: string } {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(path)?.[1];
  if (scheme === undefined) return { dir: isAbsolute(path) ? resolve(path) : resolve(process.cwd(), path) };
  if (scheme.toLowerCase() !== 'file') {
    return { error: `'path' = '${path}' uses the scheme '${scheme}': only local paths and file:// are supported` };
  }
  try {
    return { dir: fileURLToPath(path.replace(/^file:\/(?!\/)/i, 'file:///')) };
  } catch (error) {
    return { error: `'path' = '${path}' is not a valid file URI: ${(error as Error).message}` };
  }
}

/** Flink's hidden files, which its file source skips and its sink writes in progress: `.name` and `_name`. */
export function isHidden(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_');
}

/** Characters Flink's PartitionPathUtils.escapePathName writes as %XX in a partition directory's value. */
function mustEscape(code: number): boolean {
  return code < 0x20 || code === 0x7f || '"#%\'*/:=?\\{[]^'.includes(String.fromCharCode(code));
}

/** A partition value as Flink escapes it in `key=value` (PartitionPathUtils.escapePathName). */
export function escapePathName(value: string): string {
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    out += code < 0x80 && mustEscape(code) ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : char;
  }
  return out;
}

export function unescapePathName(value: string): string {
  return value.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** The `key=value` pairs of a file's directory relative to the table's path, in order. */
export function partitionSpec(relativeDir: string): ReadonlyMap<string, string> {
  const spec = new Map<string, string>();
  for (const segment of relativeDir.split('/')) {
    const eq = segment.indexOf('=');
    if (eq > 0) spec.set(unescapePathName(segment.slice(0, eq)), unescapePathName(segment.slice(eq + 1)));
  }
  return spec;
}

/**
 * The number a file's position is committed under: 31 bits of a hash of its path relative to the
 * table's directory, the same across restarts and whatever files come and go beside it.
 */
export function fileNumber(relativePath: string): number {
  return createHash('sha256').update(relativePath).digest().readUInt32BE(0) & 0x7fffffff;
}

/** Flink's MemorySize syntax: `128MB`, `1 kb`, `512` (bytes); undefined when it is not one. */
export function parseMemorySize(text: string): number | undefined {
  const match = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return undefined;
  const units: Readonly<Record<string, number>> = {
    '': 1,
    b: 1,
    bytes: 1,
    k: 1024,
    kb: 1024,
    kibibytes: 1024,
    m: 1024 ** 2,
    mb: 1024 ** 2,
    mebibytes: 1024 ** 2,
    g: 1024 ** 3,
    gb: 1024 ** 3,
    gibibytes: 1024 ** 3,
    t: 1024 ** 4,
    tb: 1024 ** 4,
    tebibytes: 1024 ** 4,
  };
  const factor = units[(match[2] ?? '').toLowerCase()];
  return factor === undefined ? undefined : Number(match[1]) * factor;
}
