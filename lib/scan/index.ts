export type { Finding } from './finding';
export { toFinding } from './finding';
export type { RuleMatch, ScanEvent, ScanStats } from './scan';
export { describeRuleError, emptyStats, scanInputs } from './scan';
