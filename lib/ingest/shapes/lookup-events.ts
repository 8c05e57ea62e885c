import { describeType } from '../../records';
import type { DeliveryShape } from './types';

/**
 * One entry of LookupEvents output (`aws cloudtrail lookup-events`): the record is a JSON string in
 * `CloudTrailEvent`. The `{"Events":[…]}` wrapper is split by the framer, so each entry arrives alone.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Event.html
 */
export const lookupEventShape: DeliveryShape = {
  name: 'LookupEvents event',
  matches: (value) => 'CloudTrailEvent' in value,
  expand: (value) =>
    typeof value.CloudTrailEvent === 'string'
      ? [{ kind: 'json', text: value.CloudTrailEvent, pointer: 'CloudTrailEvent' }]
      : [{ kind: 'problem', message: 'CloudTrailEvent is not a JSON string', pointer: 'CloudTrailEvent' }],
};

/** A wrapper (`{"Records":[…]}` or `{"Events":[…]}`) that arrived nested, e.g. inside an SNS message. */
export const recordListShape: DeliveryShape = {
  name: 'record list',
  matches: (value) => 'Records' in value || Array.isArray(value.Events),
  expand: (value) => {
    if (!Array.isArray(value.Records) && !Array.isArray(value.Events)) {
      // `Records` is only ever CloudTrail's (or a notification's) list of records.
      return [
        {
          kind: 'problem',
          message: `Records is ${describeType(value.Records)}, not an array`,
          pointer: 'Records',
        },
      ];
    }
    const key = Array.isArray(value.Records) ? 'Records' : 'Events';
    const list = value[key] as unknown[];
    return list.map((element, index) => ({
      kind: 'value' as const,
      value: element,
      pointer: `${key}[${index}]`,
    }));
  },
};
