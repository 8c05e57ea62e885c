export { ShownAlerts } from './duplicates';
export type { Finding, FindingActor } from './finding';
export { personLine, toFinding } from './finding';
