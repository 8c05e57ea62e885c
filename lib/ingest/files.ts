import type { Stats } from 'node:fs';
// fs.promises, read when a folder is listed: a Lambda function lists none, and loading
// node:fs/promises was 2 ms of every cold start.
import { promises as fsPromises } from 'node:fs';
import { join } from 'node:path';

export type FolderEntry =
  | { readonly kind: 'file'; readonly path: string; readonly size: number }
  | { readonly kind: 'unreadable'; readonly path: string; readonly error: unknown }
  /** Only with `reportSkipped`: an entry left out on purpose, and why. */
  | { readonly kind: 'skipped'; readonly path: string; readonly reason: string };

export interface WalkOptions {
  /** Yield `skipped` entries (FIFOs, devices, second paths to a folder or file) instead of dropping them. */
  readonly reportSkipped?: boolean;
}

/**
 * The regular files below a folder, depth first in name order; a folder that cannot be read is an
 * entry of its own so callers can report it and go on. Hidden entries are editor and OS litter
 * (.DS_Store, .git), never trail data. Symbolic links are followed, but each folder and file is
 * visited once, by device and inode: a link loop or a second link to the same file is not read
 * again. FIFOs, sockets and devices found in a folder are never opened (a FIFO without a writer
 * would hang the walk); a FIFO named explicitly is read by the caller, not here.
 */
export async function* filesUnder(directory: string, options: WalkOptions = {}): AsyncGenerator<FolderEntry> {
  yield* walk(directory, new Map<string, string>(), options.reportSkipped === true);
}

async function* walk(
  directory: string,
  visited: Map<string, string>,
  reportSkipped: boolean,
): AsyncGenerator<FolderEntry> {
  let info: Stats;
  let names: string[];
  try {
    info = await fsPromises.stat(directory);
    names = await fsPromises.readdir(directory);
  } catch (error) {
    yield { kind: 'unreadable', path: directory, error };
    return;
  }
  const hidden = names.filter((name) => name.startsWith('.'));
  names = names.filter((name) => !name.startsWith('.'));
  // Left out, but never silently: `--verbose` names each one.
  if (reportSkipped)
    for (const name of hidden.sort())
      yield { kind: 'skipped', path: join(directory, name), reason: 'hidden (its name starts with a dot)' };
  const first = firstVisit(visited, info, directory);
  if (first !== true) {
    if (reportSkipped) yield { kind: 'skipped', path: directory, reason: `already read as ${first}` };
    return;
  }
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    const path = join(directory, name);
    let entry: Stats;
    try {
      // stat follows symbolic links: a link is what it points to, and a dangling one is unreadable.
      entry = await fsPromises.stat(path);
    } catch (error) {
      yield { kind: 'unreadable', path, error };
      continue;
    }
    if (entry.isDirectory()) {
      yield* walk(path, visited, reportSkipped);
      continue;
    }
    if (!entry.isFile()) {
      if (reportSkipped)
        yield {
          kind: 'skipped',
          path,
          reason: `${describeSpecial(entry)} inside a folder is not read (name it to read it)`,
        };
      continue;
    }
    const seen = firstVisit(visited, entry, path);
    if (seen === true) yield { kind: 'file', path, size: entry.size };
    else if (reportSkipped) yield { kind: 'skipped', path, reason: `already read as ${seen}` };
  }
}

/** True the first time a device and inode is seen; otherwise the path it was first seen at. */
function firstVisit(visited: Map<string, string>, info: Stats, path: string): true | string {
  const id = `${info.dev}:${info.ino}`;
  const earlier = visited.get(id);
  if (earlier !== undefined) return earlier;
  visited.set(id, path);
  return true;
}

/** What a non-regular, non-folder entry is, for messages. */
export function describeSpecial(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'a special file';
}
