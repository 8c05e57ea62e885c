import { isActorField } from './cloudtrail-fields';
import type { RecordView, TextMode, TextTest } from './detection';
import { canDecidePartly, sharingAnswers, textAny } from './detection';
import { detectionKeys } from './detection-item';
import type { TextProgram } from './literals';
import {
  compileTextProgram,
  hasSpellingEscapes,
  LiteralTable,
  passes,
  skipWhitespace,
  TextMemo,
} from './literals';
import { knownFields } from './raw-fields';
import type { EventKeys } from './text-prefilter';
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
  /** Every literal of every rule's text test, numbered: a record's answers are kept by number. */
  private readonly literals = new LiteralTable();
  /**
   * Every rule's text tests, for a record whose eventName and eventSource are not read (see
   * `TextPrograms`), each compiled when first asked for: a Lambda cold start meets few rules, and
   * compiling all 198 shipped rules' tests in both modes was work every cold start did for nothing.
   */
  private readonly general: LazyPrograms;
  /** `general` with the unindexed rules' tests merged, built when first needed (`generalPrograms`). */
  private generalMerged: TextPrograms | undefined;
  /** Each rule's text test as JSON: rules with equal tests share their compiled programs. */
  private readonly textKeys = new Map<DetectionRule, string>();
  /**
   * The memos of the texts `mayMatchText` let through, in the order it saw them: the reader parses
   * those records and the driver evaluates them in that same order, so `recall` finds each one at
   * the front and the literals already searched are not searched again. (A map keyed by the text
   * was measured slower: hashing 1.5 KB keys costs more than it saves.) Found by identity of the
   * text; a record dropped in between (bad JSON, a filter) is passed over.
   */
  private readonly passed: TextMemo[] = [];
  private passedHead = 0;
  /** The memo `recall` answered last: `needsActor` and then `evaluate` ask for the same record. */
  private lastMemo: TextMemo | undefined;
  /** Texts `mayMatchText` looked at, and at which count the literal tests are next reordered. */
  private looked = 0;
  private nextReorder = FIRST_REORDER;
  /** The actor rules of each candidate list (see `actorCandidates`). */
  private readonly actorLists = new WeakMap<readonly DetectionRule[], readonly DetectionRule[]>();
  /** `evaluate`'s choice of rules to check by literal first, per candidate list (see `guardsFor`). */
  private readonly guards = new WeakMap<readonly DetectionRule[], readonly boolean[]>();
  /** `candidates` for each eventName and eventSource pair met so far (the index never changes). */
  private readonly combined = new Map<string, readonly DetectionRule[]>();
  /** Rules that read the actor namespace: a record they may match needs its actor first. */
  private readonly actorRules: ReadonlySet<DetectionRule>;
  /** Rules with a `|re` value: their match may run RE2 over a large value, so literals go first. */
  private readonly regexRules: ReadonlySet<DetectionRule>;
  /**
   * Rules that fields read exactly from the raw text (`knownFields`) can rule out, with how often
   * that was tried and how often it ruled a record out (see `PARTIAL_TRIAL`).
   */
  private readonly partlyDecided = new Map<DetectionRule, PartialTrial>();
  /** The text `mayMatchText` looked at last, and the eventName it read there (see `eventNameOf`). */
  private lastKeysText: string | undefined;
  private lastKeysName: string | undefined;
  /** `mayMatchText`'s rules held for their known fields, and those fields (null: not read yet). */
  private readonly held: DetectionRule[] = [];
  private known: RecordView | undefined | null = null;
  /** `specialised` for each eventName and eventSource pair met so far, up to `MAX_SPECIALISED`. */
  private readonly specialisedByPair = new Map<string, Map<string, Specialised>>();
  private specialisedPairs = 0;
  /** How many unindexed rules are still held to their known fields (none: their merged literals decide alone). */
  private alwaysPartlyActive = 0;

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
    const regexRules = new Set<DetectionRule>();
    const actorRules = new Set<DetectionRule>();
    for (const rule of rules) {
      const keys = rule.keys ?? detectionKeys(rule.detection);
      if (keys.regex) regexRules.add(rule);
      if (keys.actor || firstSeenReadsActor(rule)) actorRules.add(rule);
      if (canDecidePartly(rule.partial))
        this.partlyDecided.set(rule, { tried: 0, ruledOut: 0, loose: false });
    }
    this.regexRules = regexRules;
    this.actorRules = actorRules;
    this.alwaysPartlyActive = this.always.filter((rule) => this.partlyDecided.has(rule)).length;
    // Rules with the same text test share one compiled check, so `evaluate` can tell them apart.
    const byText = new Map<string, BothModes>();
    this.general = {
      unlinkedChecks: new LazyChecks((rule) => this.programsOf(rule, byText).unlinked),
      openChecks: new LazyChecks((rule) => this.programsOf(rule, byText).open),
    };
  }

  /**
   * A rule's text test in both modes, compiled once for all the rules in `byText` whose tests are
   * equal (a rule and its tuned copies). With `known`, see `compileTests`.
   */
  private programsOf(rule: DetectionRule, byText: Map<string, BothModes>, known?: EventKeys): BothModes {
    const key = this.textKey(rule);
    let programs = byText.get(key);
    if (programs === undefined) {
      programs = {
        unlinked: this.compile(rule.text, 'unlinked', known),
        open: this.compile(rule.text, 'open', known),
      };
      byText.set(key, programs);
    }
    return programs;
  }

  /** The unindexed rules' tests merged (`TextPrograms.always` and `alwaysActor`). */
  private mergedAlways(known?: EventKeys): Pick<TextPrograms, 'always' | 'alwaysActor'> {
    return {
      always: this.compile(textAny(this.always.map((rule) => rule.text)), 'unlinked', known),
      alwaysActor: this.compile(
        textAny(this.always.filter((rule) => this.actorRules.has(rule)).map((rule) => rule.text)),
        'open',
        known,
      ),
    };
  }

  private textKey(rule: DetectionRule): string {
    let key = this.textKeys.get(rule);
    if (key === undefined) {
      key = JSON.stringify(rule.text);
      this.textKeys.set(rule, key);
    }
    return key;
  }

  /** `general` with the unindexed rules' merged tests, for records past `MAX_SPECIALISED` pairs. */
  private generalPrograms(): TextPrograms {
    this.generalMerged ??= { ...this.general, ...this.mergedAlways() };
    return this.generalMerged;
  }

  private compile(test: TextTest, mode: TextMode, known?: EventKeys): TextProgram {
    return compileTextProgram(test, mode, this.literals, known);
  }

  /**
   * The text tests of the listed rules in both modes, rules with equal tests (a rule and its tuned
   * copies) sharing one program, and the unindexed rules' tests merged. With `known`, the literals
   * of eventName and eventSource are decided by those values (see `specialised`).
   */
  private compileTests(lists: readonly (readonly DetectionRule[])[], known?: EventKeys): TextPrograms {
    const unlinkedChecks = new Map<DetectionRule, TextProgram>();
    const openChecks = new Map<DetectionRule, TextProgram>();
    const byText = new Map<string, BothModes>();
    for (const list of lists)
      for (const rule of list) {
        const programs = this.programsOf(rule, byText, known);
        unlinkedChecks.set(rule, programs.unlinked);
        openChecks.set(rule, programs.open);
      }
    return { unlinkedChecks, openChecks, ...this.mergedAlways(known) };
  }

  /**
   * Whether a rule that could match this record reads `actor.*`, so the record must be attributed
   * before it is evaluated. With its raw text, such rules are first held to their literals (in
   * `unlinked` mode, also those of their actor values; the mode is asked only when needed).
   */
  needsActor(record: RecordView, raw?: string, mode: () => TextMode = () => 'open'): boolean {
    if (this.actorRules.size === 0) return false;
    const rules = this.actorCandidates(this.candidates(record));
    if (rules.length === 0) return false;
    if (raw === undefined) return true;
    const memo = this.recall(raw);
    if (!memo.usable) return true;
    const checks = mode() === 'open' ? this.general.openChecks : this.general.unlinkedChecks;
    return rules.some((rule) => passes(checks.get(rule), memo));
  }

  /** The rules worth testing on a record. */
  candidates(record: RecordView): readonly DetectionRule[] {
    const nameKey = typeof record.eventName === 'string' ? record.eventName.toLowerCase() : undefined;
    const sourceKey = typeof record.eventSource === 'string' ? record.eventSource.toLowerCase() : undefined;
    const name = nameKey === undefined ? undefined : this.byName.get(nameKey);
    const source = sourceKey === undefined ? undefined : this.bySource.get(sourceKey);
    if (!name && !source) return this.always;
    if (this.always.length === 0 && (!source || !name)) return name ?? source ?? this.always;
    // The union is the same for every record with this name and source: built once, not per record.
    // Keyed only by indexed values, so the cache is bounded by the pack, not by what records hold.
    const key = `${name ? nameKey : ''}\n${source ? sourceKey : ''}`;
    let combined = this.combined.get(key);
    if (combined === undefined) {
      combined = [...new Set([...(name ?? []), ...(source ?? []), ...this.always])];
      this.combined.set(key, combined);
    }
    return combined;
  }

  /**
   * Every rule that matches, and every rule that failed on the record; one rule's failure stops no
   * other. With the record's raw JSON, each rule's necessary literals are checked first, which
   * spares the full match for most records.
   */
  evaluate(record: RecordView, raw?: string): Evaluation[] {
    // Selections several rules share are matched once for the record (see `sharingAnswers`).
    return sharingAnswers(() => this.evaluateCandidates(record, raw));
  }

  private evaluateCandidates(record: RecordView, raw: string | undefined): Evaluation[] {
    const outcomes: Evaluation[] = [];
    const memo = raw === undefined ? undefined : this.recall(raw);
    const candidates = this.candidates(record);
    const guarded = this.guardsFor(candidates);
    for (let i = 0; i < candidates.length; i++) {
      const rule = candidates[i] as DetectionRule;
      const check = this.general.openChecks.get(rule) ?? true;
      if (check === false) continue;
      if (check !== true && memo?.usable === true && guarded[i] === true && !passes(check, memo)) continue;
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
    // Between records, so no test is being walked: the likeliest deciding literals go first.
    if (++this.looked === this.nextReorder) {
      this.literals.reorder();
      this.nextReorder = this.looked + Math.min(this.looked * 3, MAX_REORDER_GAP);
    }
    const { source, name } = eventKeys(text);
    this.lastKeysText = text;
    this.lastKeysName = name;
    if (source === undefined || !source.endsWith(SERVICE_SUFFIX)) return true;
    if (name === undefined) return true;
    // The rules' tests with this eventName and eventSource decided: their literals need no search.
    const { byName, bySource, unlinkedChecks, openChecks, always, alwaysActor } = this.specialised(
      name.toLowerCase(),
      source.toLowerCase(),
    );
    if (byName.length + bySource.length === 0 && typeof always === 'boolean' && alwaysActor === false)
      // The values were read from the text as written: \u escapes could spell other ones.
      return always || hasSpellingEscapes(text);
    const memo = new TextMemo(text, this.literals);
    if (!memo.usable) return true;
    // A rule whose literals are there may still be ruled out by the fields read exactly from the
    // text (its `not filter_*` on userIdentity). Those fields cost a look at the text, so they are
    // read last, once, and only when every rule whose literals are there is one they can rule out
    // (`anyOpen` holds such a rule back; `heldMayMatch` asks them). No closure per record: this runs
    // on every record, and the state lives in fields reset here.
    this.held.length = 0;
    this.known = null;
    // The indexed rules' own literals, then the merged literals of the unindexed ones: the same
    // necessary conditions `evaluate` checks, so nothing a rule could match is ruled out. Actor
    // values are held to their literals first, as if the record's session were its own.
    let may =
      this.anyOpen(byName, unlinkedChecks, memo, false) ||
      this.anyOpen(bySource, unlinkedChecks, memo, false);
    if (!may && passes(always, memo))
      may = this.alwaysPartlyActive === 0 || this.anyOpen(this.always, unlinkedChecks, memo, false);
    if (!may) may = this.heldMayMatch(text);
    // Only a rule on `actor.*` can still match, and only if the session may be linked (its person
    // and roles then need not be in its text): asked last, as it costs a look at the text.
    // Their literals outside the actor namespace first (cached above); the link question last.
    if (!may) {
      let actorMayMatch =
        alwaysActor !== false &&
        passes(alwaysActor, memo) &&
        (this.alwaysPartlyActive === 0 || this.anyOpen(this.always, openChecks, memo, true));
      if (!actorMayMatch)
        actorMayMatch =
          this.anyOpen(byName, openChecks, memo, true) || this.anyOpen(bySource, openChecks, memo, true);
      if (!actorMayMatch) actorMayMatch = this.heldMayMatch(text);
      may = actorMayMatch && !unlinked();
    }
    // The record will be parsed and evaluated: its memo goes with it, answers and all.
    if (may) this.remember(memo);
    return may;
  }

  /**
   * Lets go of the memo `mayMatchText` kept for a text it let through that will not be evaluated
   * after all (a caller that only asks, as the bench's measure of the raw-text checks does): kept,
   * such memos pile up to `MAX_REMEMBERED` and live long enough to be copied by every scavenge.
   */
  passOver(text: string): void {
    const last = this.passed.length - 1;
    if (last >= this.passedHead && this.passed[last]?.raw === text) this.passed.length = last;
  }

  /**
   * The eventName `mayMatchText` read from this text, read as `uniqueStringField` reads it
   * (undefined: none, or not unambiguous); null when the text is not the one it looked at last.
   */
  eventNameOf(text: string): string | undefined | null {
    return text === this.lastKeysText ? this.lastKeysName : null;
  }

  /**
   * Whether a rule of the list (only its actor rules, with `actorOnly`) may match the memo's text on
   * its literals alone. A rule whose known fields may still rule it out is held (`heldMayMatch`).
   */
  private anyOpen(
    rules: readonly DetectionRule[],
    checks: ChecksByRule,
    memo: TextMemo,
    actorOnly: boolean,
  ): boolean {
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i] as DetectionRule;
      if (actorOnly && !this.actorRules.has(rule)) continue;
      if (!passes(checks.get(rule), memo)) continue;
      const trial = this.partlyDecided.get(rule);
      if (trial === undefined || trial.loose) return true;
      this.held.push(rule);
    }
    return false;
  }

  /** Whether a held rule may match given the text's known fields (read once per text); empties the held list. */
  private heldMayMatch(text: string): boolean {
    const held = this.held;
    if (held.length === 0) return false;
    if (this.known === null) this.known = knownFields(text);
    const known = this.known;
    let may = false;
    for (const rule of held) {
      const ruledOut = known !== undefined && rule.partial?.(known) === false;
      this.tallyPartial(rule, this.partlyDecided.get(rule) as PartialTrial, ruledOut);
      if (!ruledOut) {
        may = true;
        break;
      }
    }
    held.length = 0;
    return may;
  }

  /**
   * The text tests of the rules a record with this eventName and eventSource (lowercased) may
   * match, with the literals of those two fields decided: `eventName: AssumeRole` in a rule that
   * is tried on every record (its other branch needs no name) is true or false before any search.
   * Built once per pair and kept; past `MAX_SPECIALISED` pairs (records can name anything), the
   * tests compiled for any record answer instead, with every literal searched.
   */
  private specialised(name: string, source: string): Specialised {
    // By name, then source: no key string built per record.
    let bySourceOfName = this.specialisedByPair.get(name);
    let found = bySourceOfName?.get(source);
    if (found !== undefined) return found;
    const byName = this.byName.get(name) ?? NO_RULES;
    const bySource = this.bySource.get(source) ?? NO_RULES;
    if (
      this.specialisedPairs >= MAX_SPECIALISED ||
      name.length > MAX_SPECIALISED_VALUE_CHARS ||
      source.length > MAX_SPECIALISED_VALUE_CHARS
    )
      return { byName, bySource, ...this.generalPrograms() };
    found = {
      byName,
      bySource,
      ...this.compileTests([byName, bySource, this.always], { eventName: name, eventSource: source }),
    };
    if (bySourceOfName === undefined) {
      bySourceOfName = new Map();
      this.specialisedByPair.set(name, bySourceOfName);
    }
    bySourceOfName.set(source, found);
    this.specialisedPairs++;
    return found;
  }

  /**
   * Counts a rule's known-field check. Reading the fields costs a look at the text; where a rule's
   * check rarely rules out what its literals let through (a SigmaHQ rule whose `not` filter on
   * userIdentity busy trails seldom meet), after `PARTIAL_TRIAL` tries with fewer than one in
   * `PARTIAL_WORTH` ruled out it is no longer asked: the literals alone answer, a weaker test that
   * still never rules out a match.
   */
  private tallyPartial(rule: DetectionRule, trial: PartialTrial, ruledOut: boolean): void {
    trial.tried++;
    if (ruledOut) trial.ruledOut++;
    if (trial.tried === PARTIAL_TRIAL && trial.ruledOut * PARTIAL_WORTH < PARTIAL_TRIAL) {
      trial.loose = true;
      if (this.always.includes(rule)) this.alwaysPartlyActive--;
    }
  }

  /**
   * Which of a candidate list's rules `evaluate` holds to their literals first. A literal search
   * costs a pass over the text, more than most matches on the parsed record, so only where it can
   * spare more: a regex rule (RE2 over a large value), or a check several rules share (one search
   * rules them all out, as with a pack's variants of one rule).
   */
  private guardsFor(candidates: readonly DetectionRule[]): readonly boolean[] {
    let guarded = this.guards.get(candidates);
    if (guarded === undefined) {
      const uses = new Map<TextProgram | undefined, number>();
      for (const rule of candidates) {
        const check = this.general.openChecks.get(rule);
        uses.set(check, (uses.get(check) ?? 0) + 1);
      }
      guarded = candidates.map((rule) => {
        const check = this.general.openChecks.get(rule);
        return typeof check === 'object' && (this.regexRules.has(rule) || (uses.get(check) ?? 0) > 1);
      });
      this.guards.set(candidates, guarded);
    }
    return guarded;
  }

  /** The rules on `actor.*` of a candidate list, sorted out once per list rather than per record. */
  private actorCandidates(candidates: readonly DetectionRule[]): readonly DetectionRule[] {
    let rules = this.actorLists.get(candidates);
    if (rules === undefined) {
      rules = candidates.filter((rule) => this.actorRules.has(rule));
      this.actorLists.set(candidates, rules);
    }
    return rules;
  }

  /** Hands a memo on to `recall`, for the record's evaluation. */
  private remember(memo: TextMemo): void {
    // Texts let through but never evaluated (an everyRecord run elsewhere, a reader's own filter)
    // must not pile up: past a bound the oldest go.
    if (this.passed.length - this.passedHead >= MAX_REMEMBERED) this.passedHead++;
    if (this.passedHead > MAX_REMEMBERED) {
      this.passed.splice(0, this.passedHead);
      this.passedHead = 0;
    }
    this.passed.push(memo);
  }

  /**
   * The memo of a record's text: the one `recall` answered last (`needsActor`, then `evaluate`),
   * else the one `mayMatchText` made for it, else a new one. Memos of texts passed over (records
   * dropped between the reader's question and the evaluation) are let go.
   */
  private recall(raw: string): TextMemo {
    const last = this.lastMemo;
    if (last !== undefined && last.raw === raw) return last;
    const end = Math.min(this.passed.length, this.passedHead + RECALL_LOOKAHEAD);
    let found: TextMemo | undefined;
    for (let i = this.passedHead; i < end; i++) {
      const memo = this.passed[i] as TextMemo;
      if (memo.raw === raw) {
        found = memo;
        this.passedHead = i + 1;
        break;
      }
    }
    if (this.passedHead === this.passed.length) {
      this.passed.length = 0;
      this.passedHead = 0;
    }
    this.lastMemo = found ?? new TextMemo(raw, this.literals);
    return this.lastMemo;
  }
}

/**
 * When the literal tests are first reordered by what the records so far held (see
 * `LiteralTable.reorder`), and the longest gap between reorders after that (gaps grow fourfold).
 */
const FIRST_REORDER = 256;
const MAX_REORDER_GAP = 65_536;

/** How many texts `mayMatchText` let through are kept for their evaluation at most. */
const MAX_REMEMBERED = 4096;
/**
 * How far `recall` looks for a text: the records dropped between `mayMatchText` and the evaluation
 * are few (bad records, filtered ones), so the memo is at or near the front when it is there at all.
 */
const RECALL_LOOKAHEAD = 16;

const NO_RULES: readonly DetectionRule[] = [];

/**
 * How many eventName and eventSource pairs get tests of their own (see `RuleEngine.specialised`):
 * AWS has a few thousand API actions, so a trail meets fewer; a hostile file naming more is served
 * by the general tests, and the engine's memory stays bounded.
 */
const MAX_SPECIALISED = 4096;
/**
 * Longer names or sources are not kept as keys (a hostile file could otherwise pin 4,096 values of a
 * megabyte each): no AWS action or service endpoint comes near it, and such a record is answered by
 * the general tests.
 */
const MAX_SPECIALISED_VALUE_CHARS = 128;

/** A text test compiled in `unlinked` and in `open` mode (see `TextPrograms`). */
interface BothModes {
  readonly unlinked: TextProgram;
  readonly open: TextProgram;
}

/** Each rule's compiled text test in one mode: a map, or `LazyChecks`. */
interface ChecksByRule {
  get(rule: DetectionRule): TextProgram | undefined;
}

/** Each rule's test, compiled when first asked for and kept. */
class LazyChecks implements ChecksByRule {
  private readonly compiled = new Map<DetectionRule, TextProgram>();

  constructor(private readonly compile: (rule: DetectionRule) => TextProgram) {}

  get(rule: DetectionRule): TextProgram {
    let program = this.compiled.get(rule);
    if (program === undefined) {
      program = this.compile(rule);
      this.compiled.set(rule, program);
    }
    return program;
  }
}

/** Per rule: its test in both modes (see `TextPrograms`). */
interface LazyPrograms {
  readonly unlinkedChecks: ChecksByRule;
  readonly openChecks: ChecksByRule;
}

/** Compiled text tests (see `RuleEngine.compileTests`). */
interface TextPrograms extends LazyPrograms {
  /**
   * Per rule: its test in `unlinked` mode (the record's session is its own, so actor values come
   * from its text) and in `open` mode (actor tests unknown).
   */
  readonly unlinkedChecks: ChecksByRule;
  readonly openChecks: ChecksByRule;
  /** The unindexed rules' tests merged, in `unlinked` mode, and those of the actor rules among them in `open` mode. */
  readonly always: TextProgram;
  readonly alwaysActor: TextProgram;
}

/** The text tests for records with one eventName and eventSource (see `RuleEngine.specialised`). */
interface Specialised extends TextPrograms {
  readonly byName: readonly DetectionRule[];
  readonly bySource: readonly DetectionRule[];
}

/** A rule's known-field check: tries, records it ruled out, and whether it is still asked. */
interface PartialTrial {
  tried: number;
  ruledOut: number;
  loose: boolean;
}

/** See `RuleEngine.tallyPartial`: the same trial and worth as the keyed literals' (literals.ts). */
const PARTIAL_TRIAL = 256;
const PARTIAL_WORTH = 20;

/** A first-seen rule keyed on the person needs the actor even when its detection does not. */
function firstSeenReadsActor(rule: DetectionRule): boolean {
  const spec = rule.firstSeen;
  return spec !== undefined && [...spec.fields, ...spec.groupBy].some((field) => isActorField(field.path));
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
  return stringValueAfter(text, at + quotedKey.length);
}

/** The unescaped string value after a key ending just before `from` (`: "value"`), or undefined. */
function stringValueAfter(text: string, from: number): string | undefined {
  let i = skipWhitespace(text, from);
  if (text.charCodeAt(i) !== 0x3a) return undefined;
  i = skipWhitespace(text, i + 1);
  if (text.charCodeAt(i) !== 0x22) return undefined;
  const end = text.indexOf('"', i + 1);
  if (end === -1) return undefined;
  const value = text.slice(i + 1, end);
  return value.includes('\\') ? undefined : value;
}

const EVENT_KEY = '"event';
/**
 * What `eventKeys` searches for: `"event` without its first two characters. A quote is the
 * commonest character of JSON and `e` the commonest letter, so `indexOf('"event')` stops at every
 * one of them; `v` is rarer, and each hit is confirmed by the `"e` in front (about 3 times faster).
 */
const EVENT_ANCHOR = 'vent';
const SOURCE_REST = 'Source"';
const NAME_REST = 'Name"';

/**
 * `uniqueStringField` for `"eventSource"` and `"eventName"` at once, in one pass over the text
 * instead of four (each key's first occurrence, then the rest of the text for a second one).
 */
export function eventKeys(text: string): { source: string | undefined; name: string | undefined } {
  let sourceAt = -1;
  let nameAt = -1;
  let sources = 0;
  let names = 0;
  for (let hit = text.indexOf(EVENT_ANCHOR, 2); hit !== -1; hit = text.indexOf(EVENT_ANCHOR, hit + 1)) {
    if (text.charCodeAt(hit - 1) !== 0x65 || text.charCodeAt(hit - 2) !== 0x22) continue;
    const at = hit - 2;
    const rest = at + EVENT_KEY.length;
    if (text.startsWith(SOURCE_REST, rest)) {
      sources++;
      sourceAt = at;
    } else if (text.startsWith(NAME_REST, rest)) {
      names++;
      nameAt = at;
    }
  }
  return {
    source:
      sources === 1 ? stringValueAfter(text, sourceAt + EVENT_KEY.length + SOURCE_REST.length) : undefined,
    name: names === 1 ? stringValueAfter(text, nameAt + EVENT_KEY.length + NAME_REST.length) : undefined,
  };
}
