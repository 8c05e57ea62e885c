import type { DeliveryShape } from './types';

/**
 * A CloudTrail digest file (log file integrity validation): no events to read, skipped on purpose.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html
 */
export const digestFileShape: DeliveryShape = {
  name: 'CloudTrail digest file',
  matches: (value) => 'digestStartTime' in value && 'logFiles' in value,
  expand: () => [{ kind: 'skip', reason: 'CloudTrail digest file (holds no events)', pointer: '' }],
};
