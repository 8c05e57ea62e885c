import type { DeliveryShape } from './types';

/** Fields only a CloudTrail record (or an Insights event) has at its top level. */
const RECORD_MARKERS = ['eventVersion', 'eventTime', 'eventID', 'userIdentity', 'insightDetails'] as const;

/**
 * A CloudTrail record or Insights event: the leaf every other shape leads to. Listed after the
 * notification shapes whose records also carry `eventVersion` and an `aws:` eventSource.
 */
export const cloudTrailRecordShape: DeliveryShape = {
  name: 'CloudTrail record',
  matches: (value) => {
    if (typeof value.eventSource === 'string' && value.eventSource.startsWith('aws:')) return false;
    for (const marker of RECORD_MARKERS) if (marker in value) return true;
    return false;
  },
  expand: (value) => [{ kind: 'record', value, pointer: '' }],
};
