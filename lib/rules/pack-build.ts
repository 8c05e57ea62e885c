import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { TrailwatchErrorOptions } from '../errors';
import { TrailwatchError } from '../errors';
import type { YamlDocument } from '../yaml';
import { parseYamlDocuments } from '../yaml';
import { compileDetection } from './compile';
import { canDecidePartly } from './detection';
import { detectionKeys } from './detection-item';
import type { RuleError } from './errors';
import { findRuleFiles, loadDocuments } from './loader';
import type { PackedCorrelation, PackedDetection, RulePack } from './pack';
import { RULE_PACK_VERSION } from './pack';
import { ruleSchemas } from './schema';

/**
 * Why a pack cannot be built: every rule that does not load, each with `file:line` and its title
 * in the message (many locations, so the error itself has none).
 */
export class RulePackBuildError extends TrailwatchError {
  override readonly name = 'RulePackBuildError';
  constructor(message: string, options: TrailwatchErrorOptions = {}) {
    super(message, 'rule-pack', options);
  }
}

/**
 * Builds the pre-compiled pack (see RulePack) from rule files, loaded exactly as `loadRules` loads
 * them (file names relative to `relativeTo`, as Lambda's pack shows them). Throws if any rule does
 * not load: a pack is known good or not built. `source` is what scripts/rule-pack-source.cjs
 * computes for the tree, kept so packaging can tell a stale pack.
 */
export function buildRulePack(paths: readonly string[], relativeTo: string, source: string): RulePack {
  const { files, errors: fileErrors } = findRuleFiles(paths);
  const documents: YamlDocument[] = [];
  for (const file of files) {
    const name = relative(relativeTo, file);
    for (const document of parseYamlDocuments(name, readFileSync(file, 'utf8'))) {
      documents.push({
        file: name,
        line: document.line,
        syntaxErrors: document.syntaxErrors,
        value: withoutTests(document.value),
        lineOf: (path) => document.lineOf(path),
      });
    }
  }
  const set = loadDocuments(documents);
  const errors = [...fileErrors, ...set.errors];
  if (errors.length > 0)
    throw new RulePackBuildError(
      `the rule pack is not built: ${errors.length} rule(s) failed to load:\n${errors.map((e) => describeFailure(e, documents)).join('\n')}`,
    );
  const byLocation = new Map(documents.map((document) => [`${document.file}:${document.line}`, document]));
  const valueAt = (location: { file: string; line?: number | undefined }): Record<string, unknown> => {
    const value = byLocation.get(`${location.file}:${location.line}`)?.value;
    if (typeof value !== 'object' || value === null) throw new Error(`no rule document at ${location.file}`);
    return value as Record<string, unknown>;
  };
  const detections = set.detections.map((rule): PackedDetection => {
    const value = valueAt(rule.location);
    const placeholders = placeholdersConsulted(rule.detection);
    return {
      meta: rule.meta,
      location: { file: rule.location.file, line: rule.location.line ?? 1 },
      detectionJson: JSON.stringify(rule.detection),
      ...(value.first_seen === undefined
        ? {}
        : { firstSeen: ruleSchemas().firstSeenSchema.parse(value.first_seen) }),
      ...(placeholders.length === 0 ? {} : { placeholders }),
      compiled: {
        requirement:
          rule.requirement === undefined
            ? null
            : { names: [...rule.requirement.names], sources: [...rule.requirement.sources] },
        text: rule.text,
        warnings: rule.warnings,
        partly: canDecidePartly(rule.partial),
        keys: detectionKeys(rule.detection),
      },
    };
  });
  const correlations = set.correlations.map(
    (rule): PackedCorrelation => ({
      meta: rule.meta,
      location: { file: rule.location.file, line: rule.location.line ?? 1 },
      document: ruleSchemas().correlationRuleSchema.parse(valueAt(rule.location)),
    }),
  );
  return { version: RULE_PACK_VERSION, source, files: files.length, detections, correlations };
}

/** `file:line: message (rule <id> '<title>')`: the rule is the document the error's line falls in. */
function describeFailure(error: RuleError, documents: readonly YamlDocument[]): string {
  const line = error.location?.line ?? 0;
  const document = documents.findLast((d) => d.file === error.location?.file && d.line <= line);
  const value = document?.value;
  const id =
    typeof value === 'object' && value !== null && 'id' in value && typeof value.id === 'string'
      ? value.id
      : undefined;
  const rule = [id === undefined ? undefined : `rule ${id}`, error.ruleTitle && `'${error.ruleTitle}'`]
    .filter(Boolean)
    .join(' ');
  return rule === '' ? error.toString() : `${error.toString()} (${rule})`;
}

function withoutTests(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('tests' in value))
    return value;
  const { tests: _tests, ...rest } = value;
  return rest;
}

/**
 * The `%placeholder%` names compiling the detection looks up, every one answered "no values" as in
 * a deployment that configures none (the pack's compiled form). A proxy sees each lookup (the
 * compiler asks with Object.hasOwn), whichever modifier makes it.
 */
function placeholdersConsulted(detection: Readonly<Record<string, unknown>>): string[] {
  const names = new Set<string>();
  const consulted = (name: string | symbol): void => {
    if (typeof name === 'string') names.add(name);
  };
  const watcher = new Proxy<Record<string, readonly string[]>>(Object.create(null), {
    getOwnPropertyDescriptor: (_target, name) => {
      consulted(name);
      return undefined;
    },
    has: (_target, name) => {
      consulted(name);
      return false;
    },
    get: (_target, name) => {
      consulted(name);
      return undefined;
    },
  });
  compileDetection(detection, watcher, () => {}, false);
  return [...names].sort();
}
