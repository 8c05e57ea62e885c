import type { Matcher, PartialMatcher, Requirement, TextTest } from './detection';
import type { DetectionKeys } from './detection-item';
import type { RuleLocation, RuleWarning } from './errors';
import type { Level, RuleTestDefinition } from './schema';

/** What the rest of trailwatch needs to know about a rule, whatever its kind. */
export interface RuleMeta {
  readonly title: string;
  /** The rule's id, or a stable one derived from its file and position when it has none. */
  readonly id: string;
  readonly name?: string;
  readonly level: Level;
  readonly status?: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly references: readonly string[];
  readonly falsepositives: readonly string[];
  readonly fields: readonly string[];
  readonly runbook?: string;
  readonly notify?: Readonly<Record<string, unknown>>;
  readonly dedup?: { readonly fields: readonly string[]; readonly windowMs?: number };
}

export interface DetectionRule {
  readonly kind: 'detection';
  readonly meta: RuleMeta;
  readonly location: RuleLocation;
  readonly match: Matcher;
  /** What a record must hold to be worth testing (indexed fields). */
  readonly requirement: Requirement;
  /** A necessary condition on the record's lowercased raw JSON. */
  readonly text: TextTest;
  /** The match on a record of which only some top-level fields are known (see `knownFields`). */
  readonly partial?: PartialMatcher;
  readonly tests: readonly RuleTestDefinition[];
  /** The raw detection, kept so tests can recompile the rule with their own placeholders. */
  readonly detection: Readonly<Record<string, unknown>>;
  /**
   * What the detection's item keys ask for, when known without walking `detection` (a pre-compiled
   * pack's rules carry it, so a cold start does not build their detections to learn it).
   */
  readonly keys?: DetectionKeys;
  readonly warnings: readonly RuleWarning[];
  /** A first-seen rule: a match alerts only for a combination of values never seen before. */
  readonly firstSeen?: FirstSeenSpec;
}

/** A field read for a first-seen combination, with how its value is normalised. */
export interface FirstSeenField {
  /** As written in the rule (`sourceIPAddress|network`). */
  readonly spec: string;
  readonly path: string;
  readonly transform: (value: string) => string;
}

export interface FirstSeenSpec {
  /** The values whose new combination alerts. */
  readonly fields: readonly FirstSeenField[];
  /**
   * The entity the combination is new for (`actor.person.name`). With it, a new value alerts only
   * for an entity already seen: a brand-new entity is learned, not reported.
   */
  readonly groupBy: readonly FirstSeenField[];
  /** After the rule's first match, it only learns for this long. */
  readonly learningMs: number;
  /** A combination not seen for this long is forgotten and new again. */
  readonly forgetMs: number;
}

export interface CorrelationRule {
  readonly kind: 'correlation';
  readonly meta: RuleMeta;
  readonly location: RuleLocation;
  readonly type: 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered';
  /** The detection rules it correlates, resolved to their ids. */
  readonly ruleIds: readonly string[];
  readonly groupBy: readonly string[];
  readonly timespanMs: number;
  readonly condition: Readonly<Record<string, number | string>>;
  readonly generate: boolean;
}

export type Rule = DetectionRule | CorrelationRule;
