export type { Finding } from './finding';
export { toFinding } from './finding';
