export { ACTOR_NAMESPACE, isActorField } from './cloudtrail-fields';
export type { Placeholders } from './compile';
export { compileDetection } from './compile';
export type { ConditionNode } from './condition';
export { ConditionError, MAX_CONDITION_DEPTH, parseCondition } from './condition';
export type { IndexedField, Matcher, RecordView, Requirement } from './detection';
export type { Evaluation } from './engine';
export { RuleEngine, uniqueStringField } from './engine';
export type { RuleLocation, RuleWarning } from './errors';
export { formatLocation, RuleError } from './errors';
export { readField, readFieldValue } from './fields';
export {
  DEFAULT_FIRST_SEEN_FORGET,
  DEFAULT_FIRST_SEEN_LEARNING,
  FIRST_SEEN_TRANSFORMS,
  networkOf,
} from './first-seen';
export type { LoadOptions, RulePack, RuleSet } from './loader';
export { findRuleFiles, loadRulePack, loadRules } from './loader';
export { MODIFIERS } from './modifiers/registry';
export { isRulePack, shippedRulesDir } from './pack';
export { buildRulePack, RulePackBuildError } from './pack-build';
export type { Level } from './schema';
export { durationMs, LEVELS, levelRank } from './schema';
export { SigmaString } from './sigma-string';
export type { RuleTestResult } from './testing';
export { runRuleTests } from './testing';
export type { CorrelationRule, DetectionRule, FirstSeenField, FirstSeenSpec, Rule, RuleMeta } from './types';
