import { createHash } from 'node:crypto';
import type * as z from '../validation';
import type { YamlDocument } from '../yaml';
import type { Placeholders, SelectionCache } from './compile-detection';
import { compileDetection } from './compile-detection';
import type { RuleLocation, RuleWarning } from './errors';
import { RuleError } from './errors';
import { compileFirstSeen } from './first-seen';
import type { CorrelationRuleDocument, DetectionRuleDocument } from './schema';
import { durationMs, ruleSchemas } from './schema';
import type { CorrelationRule, DetectionRule, RuleMeta } from './types';

export type { DetectionOutcome, DetectionProblem, Placeholders } from './compile-detection';
export { compileDetection } from './compile-detection';

/** The log source every trailwatch rule reads. Rules for other sources are refused, not ignored. */
const PRODUCT = 'aws';
const SERVICE = 'cloudtrail';

export type CompileOutcome =
  | { readonly ok: true; readonly rule: DetectionRule | UnresolvedCorrelation }
  | { readonly ok: false; readonly errors: readonly RuleError[] };

/** A correlation rule before the rules it names are looked up across the whole set. */
export interface UnresolvedCorrelation {
  readonly kind: 'unresolved-correlation';
  readonly meta: RuleMeta;
  readonly location: RuleLocation;
  readonly document: CorrelationRuleDocument;
  readonly source: YamlDocument;
}

/** `strictFields`: a field no CloudTrail record can hold is an error (default: a warning). */
export interface CompileOptions {
  readonly strictFields?: boolean;
  /** Selections compiled by the load's earlier rules, shared with this one (see `SelectionCache`). */
  readonly selections?: SelectionCache;
}

export function compileDocument(
  source: YamlDocument,
  placeholders: Placeholders,
  options: CompileOptions = {},
): CompileOutcome {
  const at = (path: readonly (string | number)[]): RuleLocation => ({
    file: source.file,
    line: source.lineOf(path),
  });
  if (source.syntaxErrors.length > 0) {
    return {
      ok: false,
      errors: source.syntaxErrors.map(
        (e) => new RuleError(`YAML: ${e.message}`, { file: source.file, line: e.line }, undefined, 'yaml'),
      ),
    };
  }
  const value = source.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, errors: [new RuleError('a rule must be a YAML map', at([]), undefined, 'schema')] };
  }
  const record = value as Record<string, unknown>;
  if (record.action === 'global' || record.action === 'reset' || record.action === 'repeat') {
    return {
      ok: false,
      errors: [
        new RuleError(
          `'action: ${String(record.action)}' documents are Sigma v1 collections and are not supported`,
          at(['action']),
          undefined,
          'schema',
        ),
      ],
    };
  }
  if ('correlation' in record) return compileCorrelationDocument(source, record, at);
  return compileDetectionDocument(source, record, placeholders, at, options);
}

function schemaErrors(
  error: z.core.$ZodError,
  at: (path: readonly (string | number)[]) => RuleLocation,
  title: string | undefined,
): RuleError[] {
  return error.issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const field = path.length > 0 ? path.join('.') : 'rule';
    return new RuleError(`${field}: ${issue.message}`, at(path), title, 'schema');
  });
}

/** The product and service a `logsource:` names, when it is a map (the schema reports it otherwise). */
function logsourceOf(
  value: unknown,
): { product?: string | undefined; service?: string | undefined } | undefined {
  const parsed = ruleSchemas().logsourceSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * A detection rule, every problem of it reported at once: the schema's issues (all of them, each
 * at its key's line), and the parts that did parse still compiled, so a bad `level` does not hide
 * a bad modifier, an unknown selection in the condition or a bad `first_seen`.
 */
function compileDetectionDocument(
  source: YamlDocument,
  record: Record<string, unknown>,
  placeholders: Placeholders,
  at: (path: readonly (string | number)[]) => RuleLocation,
  options: CompileOptions,
): CompileOutcome {
  const title = typeof record.title === 'string' ? record.title : undefined;
  const parsed = ruleSchemas().detectionRuleSchema.safeParse(record);
  const errors: RuleError[] = parsed.success ? [] : schemaErrors(parsed.error, at, title);
  const logsource = logsourceOf(record.logsource);
  if (logsource !== undefined) {
    const { product, service } = logsource;
    if (product?.toLowerCase() !== PRODUCT || (service !== undefined && service.toLowerCase() !== SERVICE)) {
      // Its fields belong to another log source: checking them against CloudTrail would only add noise.
      const message = `logsource is ${JSON.stringify(logsource)}; trailwatch reads product: aws, service: cloudtrail`;
      return {
        ok: false,
        errors: [...errors, new RuleError(message, at(['logsource']), title, 'logsource')],
      };
    }
  }
  const warnings: RuleWarning[] = [];
  const detection = ruleSchemas().detectionBlockSchema.safeParse(record.detection);
  const compiled = detection.success
    ? compileDetection(
        detection.data,
        placeholders,
        (message, path) => {
          const location = at(['detection', ...path]);
          if (!warnings.some((w) => w.message === message)) warnings.push({ message, location });
        },
        options.strictFields === true,
        options.selections,
      )
    : undefined;
  if (compiled?.ok === false) {
    errors.push(
      ...compiled.errors.map((e) => new RuleError(e.message, at(['detection', ...e.path]), title, e.code)),
    );
  }
  const firstSeenDocument =
    record.first_seen === undefined ? undefined : ruleSchemas().firstSeenSchema.safeParse(record.first_seen);
  const firstSeen = firstSeenDocument?.success ? compileFirstSeen(firstSeenDocument.data) : undefined;
  if (firstSeen?.ok === false) {
    errors.push(...firstSeen.errors.map((e) => new RuleError(e.message, at(e.path), title, 'first-seen')));
  }
  if (!parsed.success || compiled?.ok !== true || errors.length > 0) {
    // In the order of the file, as a person fixes them.
    return { ok: false, errors: errors.sort((x, y) => (x.location?.line ?? 0) - (y.location?.line ?? 0)) };
  }
  const rule = parsed.data;
  return {
    ok: true,
    rule: {
      kind: 'detection',
      meta: ruleMeta(rule, source, rule.dedup),
      location: { file: source.file, line: source.line },
      match: compiled.part.match,
      requirement: compiled.part.requirement,
      text: compiled.part.text,
      partial: compiled.part.partial,
      tests: rule.tests ?? [],
      detection: rule.detection,
      warnings,
      ...(firstSeen?.ok === true ? { firstSeen: firstSeen.spec } : {}),
    },
  };
}

function compileCorrelationDocument(
  source: YamlDocument,
  record: Record<string, unknown>,
  at: (path: readonly (string | number)[]) => RuleLocation,
): CompileOutcome {
  const title = typeof record.title === 'string' ? record.title : undefined;
  const parsed = ruleSchemas().correlationRuleSchema.safeParse(record);
  const errors: RuleError[] = parsed.success ? [] : schemaErrors(parsed.error, at, title);
  // The correlation's own checks run whenever its block reads, so a bad `level` hides none of them.
  const block = ruleSchemas().correlationBlockSchema.safeParse(record.correlation);
  if (block.success) errors.push(...correlationProblems(block.data, at, title));
  if (!parsed.success || errors.length > 0) {
    return { ok: false, errors: errors.sort((x, y) => (x.location?.line ?? 0) - (y.location?.line ?? 0)) };
  }
  const rule = parsed.data;
  return {
    ok: true,
    rule: {
      kind: 'unresolved-correlation',
      meta: ruleMeta(rule, source),
      location: { file: source.file, line: source.line },
      document: rule,
      source,
    },
  };
}

/** What a correlation's type needs of its condition, beyond the schema. */
function correlationProblems(
  correlation: CorrelationRuleDocument['correlation'],
  at: (path: readonly (string | number)[]) => RuleLocation,
  title: string | undefined,
): RuleError[] {
  const { type, condition } = correlation;
  const errors: RuleError[] = [];
  const thresholds = Object.keys(condition ?? {}).filter((key) => key !== 'field');
  if ((type === 'event_count' || type === 'value_count') && thresholds.length === 0) {
    errors.push(
      new RuleError(
        `a ${type} correlation needs a condition such as {gte: 5}`,
        at(['correlation', 'condition']),
        title,
        'correlation',
      ),
    );
  }
  if (type === 'value_count' && !condition?.field) {
    errors.push(
      new RuleError(
        'a value_count correlation names the field to count: condition: {field: …, gte: …}',
        at(['correlation', 'condition']),
        title,
        'correlation',
      ),
    );
  }
  return errors;
}

/** Links a correlation to the detection rules it names (by id or name), across the whole set. */
export function resolveCorrelation(
  unresolved: UnresolvedCorrelation,
  lookup: (reference: string) => string | undefined,
): { ok: true; rule: CorrelationRule } | { ok: false; errors: RuleError[] } {
  const { document, source } = unresolved;
  const references =
    typeof document.correlation.rules === 'string'
      ? [document.correlation.rules]
      : document.correlation.rules;
  const ids: string[] = [];
  const errors: RuleError[] = [];
  references.forEach((reference, index) => {
    const id = lookup(reference);
    if (id === undefined) {
      const path =
        typeof document.correlation.rules === 'string'
          ? ['correlation', 'rules']
          : ['correlation', 'rules', index];
      errors.push(
        new RuleError(
          `correlation names rule '${reference}', which is not loaded (by id or name)`,
          { file: source.file, line: source.lineOf(path) },
          document.title,
          'correlation',
        ),
      );
    } else ids.push(id);
  });
  if (errors.length > 0) return { ok: false, errors };
  const condition: Record<string, number | string> = {};
  for (const [key, value] of Object.entries(document.correlation.condition ?? {}))
    if (value !== undefined) condition[key] = value;
  return {
    ok: true,
    rule: {
      kind: 'correlation',
      meta: unresolved.meta,
      location: unresolved.location,
      type: document.correlation.type,
      ruleIds: ids,
      groupBy: document.correlation['group-by'] ?? [],
      timespanMs: durationMs(document.correlation.timespan),
      condition,
      generate: document.correlation.generate ?? false,
    },
  };
}

function ruleMeta(
  rule: DetectionRuleDocument | CorrelationRuleDocument,
  source: YamlDocument,
  dedup?: DetectionRuleDocument['dedup'],
): RuleMeta {
  const falsepositives =
    rule.falsepositives === undefined
      ? []
      : typeof rule.falsepositives === 'string'
        ? [rule.falsepositives]
        : rule.falsepositives;
  const meta: { -readonly [K in keyof RuleMeta]: RuleMeta[K] } = {
    title: rule.title,
    id: rule.id ?? derivedId(source),
    level: rule.level ?? 'medium',
    tags: rule.tags ?? [],
    references: rule.references ?? [],
    falsepositives,
    fields: rule.fields ?? [],
  };
  if (rule.name !== undefined) meta.name = rule.name;
  if (rule.status !== undefined) meta.status = rule.status;
  if (rule.description !== undefined) meta.description = rule.description.trim();
  if (rule.runbook !== undefined) meta.runbook = rule.runbook.trim();
  if (rule.notify !== undefined) meta.notify = rule.notify;
  if (dedup !== undefined) {
    meta.dedup = {
      fields: dedup.fields ?? [],
      ...(dedup.window === undefined ? {} : { windowMs: durationMs(dedup.window) }),
    };
  }
  return meta;
}

/** A stable id for a rule without one: its file and the line its document starts on. */
function derivedId(source: YamlDocument): string {
  return `trailwatch-${createHash('sha256').update(`${source.file}:${source.line}`).digest('hex').slice(0, 16)}`;
}
