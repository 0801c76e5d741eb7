import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `dir`, relative to it, hidden ones too. */
export function tree(dir: string, relative = ''): string[] {
  return readdirSync(join(dir, relative), { withFileTypes: true }).flatMap((entry) => {
    const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
    return entry.isDirectory() ? tree(dir, path) : [path];
  });
}

/** The visible part files (Flink's naming: part-<uuid>-<subtask>-<n>) under `dir`. */
export function visibleParts(dir: string): string[] {
  return tree(dir).filter((path) => /(^|\/)part-[0-9a-f-]{36}-0-\d+$/.test(path));
}

/** The lines of the visible part files, each prefixed by its partition directory, sorted. */
export function visibleLines(dir: string): string[] {
  return visibleParts(dir)
    .flatMap((path) => {
      const bucket = path.includes('/') ? `${path.slice(0, path.lastIndexOf('/'))} ` : '';
      return readFileSync(join(dir, path), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => `${bucket}${line}`);
    })
    .sort();
}
