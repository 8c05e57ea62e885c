import { hash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import yamlPackage from 'yaml/package.json';
import type { YamlDocument } from '../yaml';
import { MAX_YAML_ALIAS_COUNT, MAX_YAML_NESTING, parseYamlDocuments } from '../yaml';

/**
 * What a rule file's text parses to, kept between runs: parsing the shipped pack's YAML (inline
 * tests included) is most of loading it, about 1.4 s of CPU on a cold process, while reading the
 * kept values back takes milliseconds.
 *
 * An entry is keyed by a hash of the file's text, the `yaml` library's version and this reader's
 * limits, so an edited file, an upgraded parser or changed limits are parsed afresh. Only files
 * whose every document parsed without a fault are kept, and only when JSON carries their value
 * exactly (no NaN, no -0, no special prototype): what comes back is deeply equal to what the parser
 * gives. A document's `lineOf` (for an error's line) parses the text again when first asked: only
 * a rule that fails to compile asks, and then it gets the parser's own answer.
 *
 * One small file per entry under node_modules/.cache/trailwatch/yaml/, written to a temporary name
 * and renamed, so processes loading rules at once never read half an entry. Any fault reading or
 * writing the cache (a read-only package folder, a damaged entry) falls back to parsing: the cache
 * can only spare work, never change what loads. TRAILWATCH_PARSE_CACHE=off turns it off, or names
 * another folder.
 */
const FORMAT = `1 yaml ${yamlPackage.version} aliases ${MAX_YAML_ALIAS_COUNT} nesting ${MAX_YAML_NESTING}`;

interface KeptDocument {
  readonly line: number;
  readonly value: unknown;
  /** Lines `lineOf` answered, by the path's JSON: asked again, they need no parse. */
  readonly lines: Record<string, number>;
}

interface Entry {
  readonly format: string;
  readonly documents: readonly KeptDocument[];
}

/**
 * Where entries go: TRAILWATCH_PARSE_CACHE names a folder, or `off`; by default the package's
 * node_modules/.cache, found as shippedRulesDir finds the package (looked up once).
 */
function cacheDir(): string | undefined {
  const setting = process.env.TRAILWATCH_PARSE_CACHE;
  if (setting === 'off') return undefined;
  if (setting) return setting;
  if (packageCache === null) {
    packageCache = undefined;
    let dir = import.meta.dirname;
    for (let depth = 0; depth < 6; depth++) {
      if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'node_modules'))) {
        packageCache = join(dir, 'node_modules', '.cache', 'trailwatch', 'yaml');
        break;
      }
      dir = dirname(dir);
    }
  }
  return packageCache;
}

let packageCache: string | undefined | null = null;

/** `parseYamlDocuments`, answered from the cache when the same text was parsed before. */
export function parseRuleFile(file: string, text: string): YamlDocument[] {
  const dir = cacheDir();
  // A file of one-line JSON (a generated pack's) is read with JSON.parse, which costs less than
  // looking it up: only YAML is kept.
  if (dir === undefined || text.charCodeAt(0) === 0x7b) return parseYamlDocuments(file, text);
  const path = join(dir, `${hash('sha256', `${FORMAT}\n${text}`, 'base64url')}.json`);
  const cached = readEntry(path);
  let parsed = cached === undefined ? parseYamlDocuments(file, text) : undefined;
  if (parsed?.some((document) => document.syntaxErrors.length > 0)) return parsed;
  const kept: readonly KeptDocument[] =
    cached ?? (parsed ?? []).map((document) => ({ line: document.line, value: document.value, lines: {} }));
  const entry: Entry = { format: FORMAT, documents: kept };
  if (parsed !== undefined && !writeEntry(path, dir, entry)) return parsed;
  // Warnings name their line on every load (a placeholder without a value): the lines asked are
  // kept with the entry, so a warm load parses nothing at all.
  const lineOf = (index: number, document: KeptDocument, at: readonly (string | number)[]): number => {
    const key = JSON.stringify(at);
    const known = document.lines[key];
    if (known !== undefined) return known;
    parsed ??= parseYamlDocuments(file, text);
    const line = parsed[index]?.lineOf(at) ?? document.line;
    document.lines[key] = line;
    writeEntry(path, dir, entry);
    return line;
  };
  return kept.map((document, index) => ({
    file,
    value: parsed?.[index]?.value ?? document.value,
    line: document.line,
    syntaxErrors: [],
    lineOf: (at) => lineOf(index, document, at),
  }));
}

function readEntry(path: string): readonly KeptDocument[] | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const entry = JSON.parse(text) as Partial<Entry>;
    if (entry.format !== FORMAT || !Array.isArray(entry.documents)) return undefined;
    const documents = entry.documents as unknown[];
    return documents.every(isKeptDocument) ? documents : undefined;
  } catch {
    return undefined;
  }
}

function isKeptDocument(document: unknown): document is KeptDocument {
  return (
    typeof document === 'object' &&
    document !== null &&
    'line' in document &&
    typeof document.line === 'number' &&
    'value' in document &&
    'lines' in document &&
    typeof document.lines === 'object' &&
    document.lines !== null
  );
}

/**
 * Entries are never needed (a missing one is parsed again), so the folder is bounded the simple
 * way: past MAX_ENTRIES files it is emptied. Counted every PRUNE_EVERY writes, since a warm load
 * writes nothing and listing the folder at every write would cost more than the parse it spares.
 */
const MAX_ENTRIES = 4096;
const PRUNE_EVERY = 64;
let writes = 0;

function prune(dir: string): void {
  const names = readdirSync(dir);
  if (names.length <= MAX_ENTRIES) return;
  for (const name of names) rmSync(join(dir, name), { force: true });
}

/** Writes an entry; false when it is not kept (JSON would not give its values back, or no disk). */
function writeEntry(path: string, dir: string, entry: Entry): boolean {
  const text = JSON.stringify(entry);
  // Kept only if reading it back gives the very values the parser gave.
  if (!isDeepStrictEqual(JSON.parse(text), entry)) return false;
  try {
    mkdirSync(dir, { recursive: true });
    if (++writes % PRUNE_EVERY === 0) prune(dir);
    // The thread as well as the process: workers of one process may write the same entry at once.
    // node:worker_threads is read here, not imported: loading it cost every Lambda cold start 1 ms.
    const { threadId } = process.getBuiltinModule('node:worker_threads');
    const temporary = `${path}.${process.pid}-${threadId}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, path);
    return true;
  } catch {
    // A read-only or full disk: the next run parses again.
    return false;
  }
}
