import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { YamlDocument } from '../yaml';
import { ownEntry } from '../yaml/plain-record';
import { ConditionError, parseCondition } from './condition';
import type { CompiledPart } from './detection';
import { anyOf, compileCondition, compileSelection, DetectionError } from './detection';
import type { RuleLocation, RuleWarning } from './errors';
import { RuleError } from './errors';
import { compileFirstSeen } from './first-seen';
import type { ModifierContext } from './modifiers/types';
import type { CorrelationRuleDocument, DetectionRuleDocument } from './schema';
import { correlationRuleSchema, detectionRuleSchema, durationMs } from './schema';
import type { CorrelationRule, DetectionRule, RuleMeta } from './types';

/** The log source every trailwatch rule reads. Rules for other sources are refused, not ignored. */
const PRODUCT = 'aws';
const SERVICE = 'cloudtrail';

export type Placeholders = Readonly<Record<string, readonly string[]>>;

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
        (e) => new RuleError(`YAML: ${e.message}`, { file: source.file, line: e.line }),
      ),
    };
  }
  const value = source.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, errors: [new RuleError('a rule must be a YAML map', at([]))] };
  }
  const record = value as Record<string, unknown>;
  if (record.action === 'global' || record.action === 'reset' || record.action === 'repeat') {
    return {
      ok: false,
      errors: [
        new RuleError(
          `'action: ${String(record.action)}' documents are Sigma v1 collections and are not supported`,
          at(['action']),
        ),
      ],
    };
  }
  if ('correlation' in record) return compileCorrelationDocument(source, record, at);
  return compileDetectionDocument(source, record, placeholders, at, options.strictFields === true);
}

function schemaErrors(
  error: z.ZodError,
  at: (path: readonly (string | number)[]) => RuleLocation,
  title: string | undefined,
): RuleError[] {
  return error.issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const field = path.length > 0 ? path.join('.') : 'rule';
    return new RuleError(`${field}: ${issue.message}`, at(path), title);
  });
}

function compileDetectionDocument(
  source: YamlDocument,
  record: Record<string, unknown>,
  placeholders: Placeholders,
  at: (path: readonly (string | number)[]) => RuleLocation,
  strictFields: boolean,
): CompileOutcome {
  const title = typeof record.title === 'string' ? record.title : undefined;
  const parsed = detectionRuleSchema.safeParse(record);
  if (!parsed.success) return { ok: false, errors: schemaErrors(parsed.error, at, title) };
  const rule = parsed.data;
  const errors: RuleError[] = [];
  const { product, service } = rule.logsource;
  if (product?.toLowerCase() !== PRODUCT || (service !== undefined && service.toLowerCase() !== SERVICE)) {
    // Its fields belong to another log source: checking them against CloudTrail would only add noise.
    const message = `logsource is ${JSON.stringify(rule.logsource)}; trailwatch reads product: aws, service: cloudtrail`;
    return { ok: false, errors: [new RuleError(message, at(['logsource']), rule.title)] };
  }
  const warnings: RuleWarning[] = [];
  const compiled = compileDetection(
    rule.detection,
    placeholders,
    (message, path) => {
      const location = at(['detection', ...path]);
      if (!warnings.some((w) => w.message === message)) warnings.push({ message, location });
    },
    strictFields,
  );
  if (!compiled.ok) {
    errors.push(
      ...compiled.errors.map((e) => new RuleError(e.message, at(['detection', ...e.path]), rule.title)),
    );
  }
  const firstSeen = rule.first_seen === undefined ? undefined : compileFirstSeen(rule.first_seen);
  if (firstSeen?.ok === false) {
    errors.push(...firstSeen.errors.map((e) => new RuleError(e.message, at(e.path), rule.title)));
  }
  if (errors.length > 0 || !compiled.ok) return { ok: false, errors };
  return {
    ok: true,
    rule: {
      kind: 'detection',
      meta: ruleMeta(rule, source, rule.dedup),
      location: { file: source.file, line: source.line },
      match: compiled.part.match,
      requirement: compiled.part.requirement,
      text: compiled.part.text,
      tests: rule.tests ?? [],
      detection: rule.detection,
      warnings,
      ...(firstSeen?.ok === true ? { firstSeen: firstSeen.spec } : {}),
    },
  };
}

type DetectionOutcome =
  | { readonly ok: true; readonly part: CompiledPart }
  | {
      readonly ok: false;
      readonly errors: readonly { message: string; path: readonly (string | number)[] }[];
    };

/**
 * Compiles `detection:` (selections and condition) into one matcher. Every selection is compiled
 * even after a failure, so one run reports every problem of the rule.
 */
export function compileDetection(
  detection: Readonly<Record<string, unknown>>,
  placeholders: Placeholders,
  warn: (message: string, path: readonly (string | number)[]) => void,
  /** Impossible fields refused (true, the default here: rule tests and tools) or only warned about. */
  strictFields = true,
): DetectionOutcome {
  const errors: { message: string; path: readonly (string | number)[] }[] = [];
  const selections = new Map<string, CompiledPart>();
  for (const [name, definition] of Object.entries(detection)) {
    if (name === 'condition' || name === 'timeframe') continue;
    const context: ModifierContext = {
      placeholder: (key) => ownEntry(placeholders, key),
      warn: (message) => warn(message, [name]),
      strictFields,
    };
    try {
      selections.set(name, compileSelection(name, definition, context));
    } catch (error) {
      if (!(error instanceof DetectionError)) throw error;
      errors.push({ message: error.message, path: error.path });
      // Stand in for the broken selection so the condition reports only its own faults.
      selections.set(name, { match: () => false, requirement: undefined, text: true });
    }
  }
  if ('timeframe' in detection) {
    errors.push({
      message: "'timeframe' is Sigma v1: use a correlation rule with a timespan",
      path: ['timeframe'],
    });
  }
  const condition = detection.condition;
  const conditions =
    typeof condition === 'string' ? [condition] : Array.isArray(condition) ? condition : undefined;
  if (!conditions || conditions.length === 0 || !conditions.every((c) => typeof c === 'string')) {
    errors.push({
      message: 'detection needs a condition (a string, or a list of strings)',
      path: ['condition'],
    });
    return { ok: false, errors };
  }
  const parts: CompiledPart[] = [];
  conditions.forEach((text, index) => {
    const path = conditions.length > 1 ? ['condition', index] : ['condition'];
    try {
      parts.push(compileCondition(parseCondition(text), selections));
    } catch (error) {
      if (error instanceof ConditionError) {
        // A condition naming a selection that failed to compile would only repeat that error.
        const failed = errors.some(
          (e) => typeof e.path[0] === 'string' && error.message.includes(`'${e.path[0]}'`),
        );
        if (!failed) errors.push({ message: `condition: ${error.message}`, path });
      } else throw error;
    }
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, part: anyOf(parts) };
}

function compileCorrelationDocument(
  source: YamlDocument,
  record: Record<string, unknown>,
  at: (path: readonly (string | number)[]) => RuleLocation,
): CompileOutcome {
  const title = typeof record.title === 'string' ? record.title : undefined;
  const parsed = correlationRuleSchema.safeParse(record);
  if (!parsed.success) return { ok: false, errors: schemaErrors(parsed.error, at, title) };
  const rule = parsed.data;
  const { type, condition } = rule.correlation;
  const errors: RuleError[] = [];
  const thresholds = Object.keys(condition ?? {}).filter((key) => key !== 'field');
  if ((type === 'event_count' || type === 'value_count') && thresholds.length === 0) {
    errors.push(
      new RuleError(
        `a ${type} correlation needs a condition such as {gte: 5}`,
        at(['correlation', 'condition']),
        rule.title,
      ),
    );
  }
  if (type === 'value_count' && !condition?.field) {
    errors.push(
      new RuleError(
        'a value_count correlation names the field to count: condition: {field: …, gte: …}',
        at(['correlation', 'condition']),
        rule.title,
      ),
    );
  }
  if (errors.length > 0) return { ok: false, errors };
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
