export type { Finding } from './finding';
export { toFinding } from './finding';
export type { RuleMatch, ScanEvent, ScanStats } from './scan';
export { emptyStats, scanInputs } from './scan';
