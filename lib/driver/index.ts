export type { DriveOptions, DriverEvent, PoisonStage } from './driver';
export { describeRuleError, describeThrown, drive, isInfrastructureFailure } from './driver';
export type { NotificationTally, Tally } from './tally';
export { countOutcome, emptyTally, recordsRead, tallyCounts } from './tally';
