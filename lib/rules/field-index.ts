import type { DetectionItem } from './modifiers/types';

/**
 * The field index: which eventName / eventSource values a compiled part can match, so that the
 * engine only tries a rule on the records it may match.
 */

/**
 * Where a matcher can match, as index keys: a record can only match if its eventName is in `names`
 * or its eventSource is in `sources` (lowercased). Undefined means anywhere. Each alternative of an
 * OR keeps its own most selective key, so `(lambda source) or (ec2 RunInstances)` indexes on the
 * lambda source and the RunInstances name, not on every ec2 call.
 */
export type Requirement =
  | { readonly names: ReadonlySet<string>; readonly sources: ReadonlySet<string> }
  | undefined;
export const INDEXED_FIELDS = ['eventName', 'eventSource'] as const;
export type IndexedField = (typeof INDEXED_FIELDS)[number];

export const NO_REQUIREMENT: Requirement = undefined;
const EMPTY_SET: ReadonlySet<string> = new Set();

/** An item pins an indexed field when it is a plain, non-negated equality on literal strings. */
export function itemRequirement(item: DetectionItem): Requirement {
  const field = INDEXED_FIELDS.find((name) => name === item.field);
  if (!field || item.negated || item.applied.length > 0) return NO_REQUIREMENT;
  if (item.linking === 'all' && item.values.length > 1) return NO_REQUIREMENT;
  const allowed = new Set<string>();
  for (const value of item.values) {
    if (value.kind !== 'string' || value.text.hasWildcards) return NO_REQUIREMENT;
    allowed.add(value.text.plain().toLowerCase());
  }
  return field === 'eventName'
    ? { names: allowed, sources: EMPTY_SET }
    : { names: EMPTY_SET, sources: allowed };
}

/** How many records a requirement lets through, roughly: names are far more selective than sources. */
function breadth(requirement: NonNullable<Requirement>): number {
  return requirement.names.size + requirement.sources.size * 1000;
}

/**
 * All parts must match, so any part's requirement holds for the whole: keep the narrowest. Two
 * name-only requirements intersect (a record has one eventName).
 */
export function intersectRequirements(requirements: readonly Requirement[]): Requirement {
  let best: Requirement;
  for (const requirement of requirements) {
    if (requirement === undefined) continue;
    if (best === undefined) {
      best = requirement;
    } else if (best.sources.size === 0 && requirement.sources.size === 0) {
      best = {
        names: new Set([...best.names].filter((name) => requirement.names.has(name))),
        sources: EMPTY_SET,
      };
    } else if (breadth(requirement) < breadth(best)) {
      best = requirement;
    }
  }
  return best;
}

/** Any part may match, so the whole may match wherever any part may: the union of their keys. */
export function unionRequirements(requirements: readonly Requirement[]): Requirement {
  if (requirements.some((requirement) => requirement === undefined)) return NO_REQUIREMENT;
  const present = requirements as readonly NonNullable<Requirement>[];
  return {
    names: new Set(present.flatMap((requirement) => [...requirement.names])),
    sources: new Set(present.flatMap((requirement) => [...requirement.sources])),
  };
}
