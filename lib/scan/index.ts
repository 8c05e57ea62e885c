export type { Finding, FindingActor } from './finding';
export { personLine, toFinding } from './finding';
