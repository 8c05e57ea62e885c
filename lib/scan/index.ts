export type { Finding, RuleMatch } from './finding';
export { principalArn, readPath, toFinding } from './finding';
export type { ScanEvent, ScanStats } from './scan';
export { emptyStats, scanInputs } from './scan';
