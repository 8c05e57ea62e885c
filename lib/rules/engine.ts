import { isActorField } from './cloudtrail-fields';
import type { RecordView, TextCheck, TextMode } from './detection';
import { compileText, textAny } from './detection';
import type { DetectionRule } from './types';

export type Evaluation =
  | { readonly kind: 'match'; readonly rule: DetectionRule }
  | { readonly kind: 'error'; readonly rule: DetectionRule; readonly message: string };

/** CloudTrail API records name a service endpoint; notifications and envelopes (`aws:s3`) do not. */
const SERVICE_SUFFIX = '.amazonaws.com';

/**
 * Evaluates records against compiled rules, each record only against the rules that could match it:
 * rules that pin `eventName` are indexed by it, rules that pin only `eventSource` by that, and the
 * rest are tried on every record.
 */
export class RuleEngine {
  private readonly byName = new Map<string, DetectionRule[]>();
  private readonly bySource = new Map<string, DetectionRule[]>();
  private readonly always: DetectionRule[] = [];
  /** Rules whose requirements contradict each other (eventName a and b): they can never match. */
  readonly unmatchable: readonly DetectionRule[];
  /** What the raw text of a record must hold for an unindexed rule on `actor.*` to match it, its actor unknown. */
  private readonly alwaysActorText: boolean | TextCheck;
  /** The same, for a record whose session is known to be its own (actor values come from its text). */
  private readonly alwaysTextUnlinked: boolean | TextCheck;
  /** Each rule's compiled text test. */
  private readonly textChecks = new Map<DetectionRule, boolean | TextCheck>();
  /** The same, for a record whose session is its own (rules on `actor.*` need their literals). */
  private readonly textChecksUnlinked = new Map<DetectionRule, boolean | TextCheck>();
  /** Rules that read the actor namespace: a record they may match needs its actor first. */
  private readonly actorRules: ReadonlySet<DetectionRule>;

  constructor(readonly rules: readonly DetectionRule[]) {
    const unmatchable: DetectionRule[] = [];
    for (const rule of rules) {
      const requirement = rule.requirement;
      if (requirement === undefined) {
        this.always.push(rule);
      } else if (requirement.names.size === 0 && requirement.sources.size === 0) {
        unmatchable.push(rule);
      } else {
        for (const name of requirement.names) addTo(this.byName, name, rule);
        for (const source of requirement.sources) addTo(this.bySource, source, rule);
      }
    }
    this.unmatchable = unmatchable;
    this.alwaysTextUnlinked = compileText(textAny(this.always.map((rule) => rule.text)), 'unlinked');
    for (const rule of rules) {
      this.textChecks.set(rule, compileText(rule.text));
      this.textChecksUnlinked.set(rule, compileText(rule.text, 'unlinked'));
    }
    this.actorRules = new Set(
      rules.filter((rule) => namesActorField(rule.detection) || firstSeenReadsActor(rule)),
    );
    this.alwaysActorText = compileText(
      textAny(this.always.filter((rule) => this.actorRules.has(rule)).map((rule) => rule.text)),
    );
  }

  /**
   * Whether a rule that could match this record reads `actor.*`, so the record must be attributed
   * before it is evaluated. With its raw text, such rules are first held to their literals (in
   * `unlinked` mode, also those of their actor values; the mode is asked only when needed).
   */
  needsActor(record: RecordView, raw?: string, mode: () => TextMode = () => 'open'): boolean {
    if (this.actorRules.size === 0) return false;
    const rules = this.candidates(record).filter((rule) => this.actorRules.has(rule));
    if (rules.length === 0) return false;
    if (raw === undefined || hasSpellingEscapes(raw)) return true;
    const checks = mode() === 'open' ? this.textChecks : this.textChecksUnlinked;
    const lower = raw.toLowerCase();
    const seen = new Map<string, boolean>();
    return rules.some((rule) => {
      const check = checks.get(rule) ?? true;
      return check === true || (check !== false && check(lower, seen));
    });
  }

  /** The rules worth testing on a record. */
  candidates(record: RecordView): readonly DetectionRule[] {
    const name =
      typeof record.eventName === 'string' ? this.byName.get(record.eventName.toLowerCase()) : undefined;
    const source =
      typeof record.eventSource === 'string'
        ? this.bySource.get(record.eventSource.toLowerCase())
        : undefined;
    if (!name && !source) return this.always;
    const indexed = !source ? (name as DetectionRule[]) : !name ? source : [...new Set([...name, ...source])];
    return this.always.length === 0 ? indexed : [...indexed, ...this.always];
  }

  /**
   * Every rule that matches, and every rule that failed on the record; one rule's failure stops no
   * other. With the record's raw JSON, each rule's necessary literals are checked first, which
   * spares the full match for most records.
   */
  evaluate(record: RecordView, raw?: string): Evaluation[] {
    const outcomes: Evaluation[] = [];
    let lower: string | undefined;
    const seen = new Map<string, boolean>();
    const usable = raw !== undefined && !hasSpellingEscapes(raw);
    for (const rule of this.candidates(record)) {
      const check = this.textChecks.get(rule) ?? true;
      if (check === false) continue;
      if (usable && check !== true) {
        lower ??= (raw as string).toLowerCase();
        if (!check(lower, seen)) continue;
      }
      try {
        if (rule.match(record)) outcomes.push({ kind: 'match', rule });
      } catch (error) {
        outcomes.push({
          kind: 'error',
          rule,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return outcomes;
  }

  /**
   * Decides from a record's raw JSON, without parsing it, whether any rule could match. Indexed
   * rules need the top-level eventName and eventSource, read only when unambiguous (each key once,
   * unescaped); unindexed rules need literals their values imply, searched in the lowercased text.
   * Anything unclear answers true, so a record is only ever ruled out when no rule could match it.
   * `unlinked` answers whether the record's session is certainly its own (no earlier session start
   * links it to a person or roles): then rules on `actor.*` need their values in the text too.
   */
  mayMatchText(text: string, unlinked: () => boolean = () => false): boolean {
    const source = uniqueStringField(text, '"eventSource"');
    if (source === undefined || !source.endsWith(SERVICE_SUFFIX)) return true;
    const name = uniqueStringField(text, '"eventName"');
    if (name === undefined) return true;
    const indexed = [
      ...(this.byName.get(name.toLowerCase()) ?? []),
      ...(this.bySource.get(source.toLowerCase()) ?? []),
    ];
    const always = this.alwaysTextUnlinked;
    if (indexed.length === 0 && typeof always === 'boolean' && this.alwaysActorText === false) return always;
    if (hasSpellingEscapes(text)) return true;
    // The indexed rules' own literals, then the merged literals of the unindexed ones: the same
    // necessary conditions `evaluate` checks, so nothing a rule could match is ruled out. Actor
    // values are held to their literals first, as if the record's session were its own.
    const lower = text.toLowerCase();
    const seen = new Map<string, boolean>();
    const passes = (check: boolean | TextCheck | undefined): boolean =>
      check === undefined || check === true || (check !== false && check(lower, seen));
    if (indexed.some((rule) => passes(this.textChecksUnlinked.get(rule))) || passes(always)) return true;
    // Only a rule on `actor.*` can still match, and only if the session may be linked (its person
    // and roles then need not be in its text): asked last, as it costs a look at the text.
    const indexedActor = indexed.filter((rule) => this.actorRules.has(rule));
    if (indexedActor.length === 0 && this.alwaysActorText === false) return false;
    // Their literals outside the actor namespace first (cached above); the link question last.
    if (!indexedActor.some((rule) => passes(this.textChecks.get(rule))) && !passes(this.alwaysActorText))
      return false;
    return !unlinked();
  }
}

/** Whether a detection names a field in the actor namespace anywhere (`actor.via|expand: …`). */
/** A first-seen rule keyed on the person needs the actor even when its detection does not. */
function firstSeenReadsActor(rule: DetectionRule): boolean {
  const spec = rule.firstSeen;
  return spec !== undefined && [...spec.fields, ...spec.groupBy].some((field) => isActorField(field.path));
}

function namesActorField(detection: Readonly<Record<string, unknown>>): boolean {
  const pending: unknown[] = [detection];
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) pending.push(...node);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (isActorField(key.split('|')[0] ?? '')) return true;
        pending.push(value);
      }
    }
  }
  return false;
}

function addTo(index: Map<string, DetectionRule[]>, key: string, rule: DetectionRule): void {
  const list = index.get(key);
  if (!list) index.set(key, [rule]);
  else if (!list.includes(rule)) list.push(rule);
}

/** The string value of a key that occurs exactly once in the text, or undefined when unsure. */
export function uniqueStringField(text: string, quotedKey: string): string | undefined {
  const at = text.indexOf(quotedKey);
  if (at === -1 || text.indexOf(quotedKey, at + quotedKey.length) !== -1) return undefined;
  let i = skipWhitespace(text, at + quotedKey.length);
  if (text.charCodeAt(i) !== 0x3a) return undefined;
  i = skipWhitespace(text, i + 1);
  if (text.charCodeAt(i) !== 0x22) return undefined;
  const end = text.indexOf('"', i + 1);
  if (end === -1) return undefined;
  const value = text.slice(i + 1, end);
  return value.includes('\\') ? undefined : value;
}

/** \\u and \\/ escapes can spell a literal differently from the parsed value: then literals prove nothing. */
function hasSpellingEscapes(text: string): boolean {
  return text.includes('\\u') || text.includes('\\/');
}

/** The index of the first character at or after `from` that is not JSON whitespace. */
function skipWhitespace(text: string, from: number): number {
  let i = from;
  for (;;) {
    const code = text.charCodeAt(i);
    if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) return i;
    i++;
  }
}
