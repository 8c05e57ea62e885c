export type { ActorSource, DriveOptions, DriverEvent, PoisonStage } from './driver';
export { describeRuleError, describeThrown, drive, isInfrastructureFailure, learnSessions } from './driver';
export type { NotificationTally, Tally } from './tally';
export { countOutcome, emptyTally, recordsRead, tallyCounts } from './tally';
