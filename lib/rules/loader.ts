import type { Stats } from 'node:fs';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { YamlDocument } from '../yaml';
import type { Placeholders, UnresolvedCorrelation } from './compile';
import { compileDocument, resolveCorrelation } from './compile';
import { SelectionCache } from './compile-detection';
import type { RuleWarning } from './errors';
import { RuleError } from './errors';
import type { RulePack, UnpackedRules } from './pack';
import { unpackRules } from './pack';
import { parseRuleFile } from './parse-cache';
import type { CorrelationRule, DetectionRule } from './types';

export type { RulePack } from './pack';

export interface RuleSet {
  readonly detections: readonly DetectionRule[];
  readonly correlations: readonly CorrelationRule[];
  /** Every rule that did not load, each with `file:line`. The others loaded regardless. */
  readonly errors: readonly RuleError[];
  readonly warnings: readonly RuleWarning[];
  /**
   * Ids of rules that only feed correlations with `generate: false` (the Sigma default): their
   * matches count toward the correlation and raise no finding of their own.
   */
  readonly correlationOnly: ReadonlySet<string>;
  /** How many rule files were read. */
  readonly files: number;
}

export interface LoadOptions {
  readonly placeholders?: Placeholders;
  /** A field no CloudTrail record can hold is an error (`rules validate --strict`); by default a warning. */
  readonly strictFields?: boolean;
  /** A pre-compiled pack (dist/rules-pack.json) loaded together with the paths (correlations may span both). */
  readonly pack?: RulePack;
}

const RULE_FILE = /\.ya?ml$/i;

/** What kind of file system entry a path is, for the message when it is not one rules are read from. */
function entryKind(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * Every rule file under the given paths (files, or directories read recursively), sorted. Only
 * regular files are read from a folder: a FIFO, socket or device there would block the read (or
 * never end), so it is skipped with a warning. A FIFO named explicitly (`rules test <(…)`) is read,
 * since someone asked for it. Each directory is read once, so a symbolic-link loop ends.
 */
export function findRuleFiles(paths: readonly string[]): {
  files: string[];
  errors: RuleError[];
  warnings: RuleWarning[];
} {
  const files: string[] = [];
  const errors: RuleError[] = [];
  const warnings: RuleWarning[] = [];
  const seenDirectories = new Set<string>();
  const visit = (path: string, explicit: boolean): void => {
    let info: Stats;
    try {
      info = statSync(path);
    } catch (error) {
      errors.push(new RuleError(describeFsError(error, 'cannot read'), { file: path }, undefined, 'file'));
      return;
    }
    if (info.isDirectory()) {
      const identity = `${info.dev}:${info.ino}`;
      if (seenDirectories.has(identity)) return;
      seenDirectories.add(identity);
      let entries: string[];
      try {
        entries = readdirSync(path).sort();
      } catch (error) {
        errors.push(
          new RuleError(describeFsError(error, 'cannot list the folder'), { file: path }, undefined, 'file'),
        );
        return;
      }
      for (const entry of entries) {
        if (!entry.startsWith('.')) visit(join(path, entry), false);
      }
    } else if (info.isFile() ? explicit || RULE_FILE.test(path) : explicit && info.isFIFO()) {
      files.push(path);
    } else if (!info.isFile() && (explicit || RULE_FILE.test(path))) {
      warnings.push({
        message: `skipped: ${entryKind(info)}; rules are read only from regular files`,
        location: { file: path },
      });
    }
  };
  for (const path of paths) visit(path, true);
  return { files, errors, warnings };
}

function describeFsError(error: unknown, fallback: string): string {
  if (error instanceof Error && 'code' in error && error.code === 'ENOENT')
    return 'no such file or directory';
  return error instanceof Error ? `${fallback}: ${error.message}` : fallback;
}

/**
 * Loads and compiles the rules in these paths. A bad rule is reported and left out; every other
 * rule still loads, so one typo never switches off the whole pack.
 */
export function loadRules(paths: readonly string[], options: LoadOptions = {}): RuleSet {
  const { files, errors, warnings: fileWarnings } = findRuleFiles(paths);
  const documents: YamlDocument[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      errors.push(new RuleError(`cannot read: ${(error as Error).message}`, { file }, undefined, 'file'));
      continue;
    }
    documents.push(...parseRuleFile(file, text));
  }
  const placeholders = options.placeholders ?? {};
  const strictFields = options.strictFields === true;
  // The pack's rules come first, as its files would: on a duplicate id the shipped rule stays.
  const packed = options.pack
    ? unpackRules(options.pack, placeholders, strictFields, errors)
    : { detections: [], correlations: [] };
  const set = compileDocuments(
    documents,
    placeholders,
    errors,
    files.length + (options.pack?.files ?? 0),
    strictFields,
    packed,
  );
  return fileWarnings.length === 0 ? set : { ...set, warnings: [...fileWarnings, ...set.warnings] };
}

/** Compiles parsed rule documents (the rule files of `rules validate`, a pack's build) into a set. */
export function loadDocuments(documents: readonly YamlDocument[], options: LoadOptions = {}): RuleSet {
  const errors: RuleError[] = [];
  const files = new Set(documents.map((document) => document.file)).size;
  return compileDocuments(
    documents,
    options.placeholders ?? {},
    errors,
    files,
    options.strictFields === true,
  );
}

function compileDocuments(
  documents: readonly YamlDocument[],
  placeholders: Placeholders,
  errors: RuleError[],
  files: number,
  strictFields = false,
  packed: UnpackedRules = { detections: [], correlations: [] },
): RuleSet {
  const detections: DetectionRule[] = [...packed.detections];
  const pending: UnresolvedCorrelation[] = [...packed.correlations];
  // One load, one set of placeholders: a selection repeated across its rules is compiled once.
  const selections = new SelectionCache();
  for (const document of documents) {
    const outcome = compileDocument(document, placeholders, { strictFields, selections });
    if (!outcome.ok) errors.push(...outcome.errors);
    else if (outcome.rule.kind === 'detection') detections.push(outcome.rule);
    else pending.push(outcome.rule);
  }
  const unique = dropDuplicateIds(detections, errors);
  const byReference = new Map<string, string>();
  for (const rule of unique) {
    byReference.set(rule.meta.id, rule.meta.id);
    if (rule.meta.name) byReference.set(rule.meta.name, rule.meta.id);
  }
  const correlations: CorrelationRule[] = [];
  for (const unresolved of pending) {
    const resolved = resolveCorrelation(unresolved, (reference) => byReference.get(reference));
    if (resolved.ok) correlations.push(resolved.rule);
    else errors.push(...resolved.errors);
  }
  return {
    detections: unique,
    correlations,
    correlationOnly: correlationOnlyIds(correlations),
    errors,
    warnings: unique.flatMap((rule) => rule.warnings),
    files,
  };
}

function dropDuplicateIds(rules: readonly DetectionRule[], errors: RuleError[]): DetectionRule[] {
  const seen = new Map<string, DetectionRule>();
  const kept: DetectionRule[] = [];
  for (const rule of rules) {
    const first = seen.get(rule.meta.id);
    if (first) {
      errors.push(
        new RuleError(
          `id ${rule.meta.id} is already used by '${first.meta.title}' (${first.location.file}:${first.location.line}); this rule is left out`,
          rule.location,
          rule.meta.title,
          'duplicate-id',
        ),
      );
      continue;
    }
    seen.set(rule.meta.id, rule);
    kept.push(rule);
  }
  return kept;
}

function correlationOnlyIds(correlations: readonly CorrelationRule[]): Set<string> {
  const generating = new Set<string>();
  const feeding = new Set<string>();
  for (const correlation of correlations) {
    for (const id of correlation.ruleIds) (correlation.generate ? generating : feeding).add(id);
  }
  return new Set([...feeding].filter((id) => !generating.has(id)));
}

/** Loads a pack (dist/rules-pack.json) on its own. */
export function loadRulePack(pack: RulePack, options: LoadOptions = {}): RuleSet {
  return loadRules([], { ...options, pack });
}
