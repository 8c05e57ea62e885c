import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

export type FolderEntry =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'unreadable'; readonly path: string; readonly error: unknown };

/**
 * The files below a folder, depth first in name order; a folder that cannot be read is an entry
 * of its own so callers can report it and go on. Hidden entries are editor and OS litter
 * (.DS_Store, .git), never trail data. Symbolic links are followed as files.
 */
export async function* filesUnder(directory: string): AsyncGenerator<FolderEntry> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    yield { kind: 'unreadable', path: directory, error };
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else if (entry.isFile() || entry.isSymbolicLink()) yield { kind: 'file', path };
  }
}
