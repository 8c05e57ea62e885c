import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ownEntry } from '../yaml/plain-record';
import type { Placeholders, UnresolvedCorrelation } from './compile';
import { compileDetection } from './compile';
import type { CompiledPart, Matcher, PartialMatcher, Requirement, TextTest } from './detection';
import type { DetectionKeys } from './detection-item';
import type { RuleLocation, RuleWarning } from './errors';
import { RuleError } from './errors';
import { compileFirstSeen } from './first-seen';
import type { CorrelationRuleDocument, FirstSeenDocument } from './schema';
import type { DetectionRule, RuleMeta } from './types';

/** Where trailwatch's own rules live: `rules/` at the package root, found from this module upwards. */
export function shippedRulesDir(): string {
  const override = process.env.TRAILWATCH_RULES_DIR;
  if (override) return override;
  // The CLI bundle sits in dist/, the sources in lib/rules/: walk up to the package root either way.
  let dir = import.meta.dirname;
  for (let depth = 0; depth < 6; depth++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'rules'))) return join(dir, 'rules');
    dir = dirname(dir);
  }
  throw new Error('cannot find the shipped rules folder; set TRAILWATCH_RULES_DIR');
}

/**
 * The shipped rules as `npm run build` leaves them for Lambda (dist/rules-pack.json): parsed,
 * validated and compiled at build time, so a cold start reads JSON and skips the YAML parser, the
 * schema and most of the compiler. The build fails on any rule that does not load, so what is
 * packed is known good; `source` says what it was built from (scripts/rule-pack-source.cjs), and
 * packaging rebuilds a pack whose source no longer matches the tree (scripts/esbuild-plugins.cjs).
 *
 * Each detection carries what the engine indexes a rule by (its field-index requirement and
 * raw-text prefilter, both plain data) and its warnings; its matcher is compiled from `detection`
 * when the engine first tries the rule on a record. Compiling depends on nothing but the detection,
 * the compiler and the values of the `%placeholders%` it looks up, and the pack is compiled with
 * none configured: a rule whose placeholders have values in the deployment's trailwatch.yml is
 * compiled at load instead, with them, exactly as from YAML.
 * Inline `tests:` are left out: they run in CI, never in Lambda.
 */
export interface RulePack {
  readonly version: typeof RULE_PACK_VERSION;
  /** A hash of the rule files and the compiler the pack was built from. */
  readonly source: string;
  /** How many rule files the pack was built from. */
  readonly files: number;
  readonly detections: readonly PackedDetection[];
  readonly correlations: readonly PackedCorrelation[];
}

/** Raised whenever the format changes: a pack of another version is refused, never half read. */
export const RULE_PACK_VERSION = 3;

export interface PackedDetection {
  readonly meta: RuleMeta;
  readonly location: { readonly file: string; readonly line: number };
  /**
   * The validated `detection:` block as JSON text, parsed and compiled into the matcher on first
   * use. Kept as text because building the objects was the costliest part of reading the pack: its
   * selections' keys (`userIdentity.arn|contains`) give V8 a new object shape each, and parsing the
   * pack took 16–23 ms with them as objects against 5 ms as text (measured in one process each).
   */
  readonly detectionJson: string;
  /** The validated `first_seen:` block. */
  readonly firstSeen?: FirstSeenDocument;
  /**
   * The placeholders compiling looks up (absent: none). `compiled` holds while none of them has a
   * value: the compiler then follows the same path as at build time.
   */
  readonly placeholders?: readonly string[];
  /** The compiled form with no placeholder configured. */
  readonly compiled: {
    readonly requirement: { readonly names: readonly string[]; readonly sources: readonly string[] } | null;
    readonly text: TextTest;
    readonly warnings: readonly RuleWarning[];
    /** Whether the rule's partial matcher can decide a record from its known fields (canDecidePartly). */
    readonly partly: boolean;
    /** What the detection's item keys ask for (`detectionKeys`), so the engine need not parse it. */
    readonly keys: DetectionKeys;
  };
}

export interface PackedCorrelation {
  readonly meta: RuleMeta;
  readonly location: { readonly file: string; readonly line: number };
  /** The validated rule; the rules it names are looked up at load, with any other rules loaded. */
  readonly document: CorrelationRuleDocument;
}

export function isRulePack(value: unknown): value is RulePack {
  return (
    typeof value === 'object' &&
    value !== null &&
    'version' in value &&
    value.version === RULE_PACK_VERSION &&
    'detections' in value &&
    Array.isArray(value.detections) &&
    'correlations' in value &&
    Array.isArray(value.correlations)
  );
}

/** The pack's rules, ready for the engine; correlations still to be resolved against every rule loaded. */
export interface UnpackedRules {
  readonly detections: DetectionRule[];
  readonly correlations: UnresolvedCorrelation[];
}

/**
 * Rebuilds the pack's rules. A rule with a configured placeholder is compiled now, with these
 * placeholders, and its problems land in `errors` as from YAML. With `strictFields`, a rule that was
 * warned about at build time is compiled now too, so an impossible field is an error, as from YAML.
 */
export function unpackRules(
  pack: RulePack,
  placeholders: Placeholders,
  strictFields: boolean,
  errors: RuleError[],
): UnpackedRules {
  const detections: DetectionRule[] = [];
  for (const packed of pack.detections) {
    const firstSeen = firstSeenOf(packed, errors);
    if (firstSeen === null) continue;
    const asBuilt =
      !(strictFields && packed.compiled.warnings.length > 0) &&
      (packed.placeholders ?? []).every((name) => (ownEntry(placeholders, name) ?? []).length === 0);
    const rule = asBuilt
      ? lazyRule(packed, firstSeen, placeholders)
      : compiledRule(packed, firstSeen, placeholders, strictFields, errors);
    if (rule) detections.push(rule);
  }
  const correlations = pack.correlations.map(
    (packed): UnresolvedCorrelation => ({
      kind: 'unresolved-correlation',
      meta: packed.meta,
      location: packed.location,
      document: packed.document,
      source: {
        file: packed.location.file,
        value: packed.document,
        line: packed.location.line,
        syntaxErrors: [],
        lineOf: () => packed.location.line,
      },
    }),
  );
  return { detections, correlations };
}

/** The same null-prototype map the schema hands the compiler (selection names are plain data). */
function detectionBlock(packed: PackedDetection): Record<string, unknown> {
  return Object.assign(Object.create(null) as Record<string, unknown>, JSON.parse(packed.detectionJson));
}

/** The `first_seen:` block compiled (its transforms are functions); null, and errors, when it fails. */
function firstSeenOf(packed: PackedDetection, errors: RuleError[]): DetectionRule['firstSeen'] | null {
  if (packed.firstSeen === undefined) return undefined;
  const outcome = compileFirstSeen(packed.firstSeen);
  if (outcome.ok) return outcome.spec;
  errors.push(
    ...outcome.errors.map((e) => new RuleError(e.message, packed.location, packed.meta.title, 'first-seen')),
  );
  return null;
}

function baseRule(packed: PackedDetection, firstSeen: DetectionRule['firstSeen']) {
  return {
    kind: 'detection' as const,
    meta: packed.meta,
    location: packed.location,
    tests: [],
    ...(firstSeen === undefined ? {} : { firstSeen }),
  };
}

/**
 * A rule known to compile (it did at build time, from the same detection and compiler): the
 * engine indexes it by its packed requirement and prefilter, and its matcher is built the first
 * time a record gets that far. Should that compile ever fail, the error names the rule.
 */
function lazyRule(
  packed: PackedDetection,
  firstSeen: DetectionRule['firstSeen'],
  placeholders: Placeholders,
): DetectionRule {
  const { compiled } = packed;
  let detection: Record<string, unknown> | undefined;
  const detectionOnce = (): Record<string, unknown> => {
    detection ??= detectionBlock(packed);
    return detection;
  };
  let part: CompiledPart | undefined;
  const compile = (): CompiledPart => {
    if (part === undefined) {
      const outcome = compileDetection(detectionOnce(), placeholders, () => {}, false);
      if (!outcome.ok)
        throw new RuleError(
          `rule ${packed.meta.id} of the pre-compiled pack does not compile: ${outcome.errors.map((e) => e.message).join('; ')} (rebuild it with npm run build)`,
          packed.location,
          packed.meta.title,
          outcome.errors[0]?.code ?? 'selection',
        );
      part = outcome.part;
    }
    return part;
  };
  const match: Matcher = (record) => compile().match(record);
  // A rule whose partial matcher can never decide has none, as canDecidePartly reads it.
  const partial: PartialMatcher | undefined = compiled.partly
    ? (known) => compile().partial(known)
    : undefined;
  const requirement: Requirement =
    compiled.requirement === null
      ? undefined
      : { names: new Set(compiled.requirement.names), sources: new Set(compiled.requirement.sources) };
  return {
    ...baseRule(packed, firstSeen),
    match,
    requirement,
    text: compiled.text,
    ...(partial === undefined ? {} : { partial }),
    get detection() {
      return detectionOnce();
    },
    keys: compiled.keys,
    warnings: compiled.warnings,
  };
}

/** A rule compiled at load, as compileDocument compiles one read from YAML; undefined when it fails. */
function compiledRule(
  packed: PackedDetection,
  firstSeen: DetectionRule['firstSeen'],
  placeholders: Placeholders,
  strictFields: boolean,
  errors: RuleError[],
): DetectionRule | undefined {
  const detection = detectionBlock(packed);
  const location: RuleLocation = packed.location;
  const warnings: RuleWarning[] = [];
  const outcome = compileDetection(
    detection,
    placeholders,
    (message) => {
      if (!warnings.some((w) => w.message === message)) warnings.push({ message, location });
    },
    strictFields,
  );
  if (!outcome.ok) {
    errors.push(...outcome.errors.map((e) => new RuleError(e.message, location, packed.meta.title, e.code)));
    return undefined;
  }
  return {
    ...baseRule(packed, firstSeen),
    match: outcome.part.match,
    requirement: outcome.part.requirement,
    text: outcome.part.text,
    partial: outcome.part.partial,
    detection,
    warnings,
  };
}
