export { CorrelationEngine } from './correlation';
export type { FirstSeenOptions, FirstSeenVerdict } from './first-seen';
export { FirstSeenEngine } from './first-seen';
