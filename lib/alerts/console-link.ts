/**
 * A link to the event in the CloudTrail console's Event history, in the event's own region and
 * partition (Event history is regional and kept 90 days).
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events-console.html
 */
export function consoleEventUrl(region: string, eventID: string): string {
  const host = region.startsWith('cn-')
    ? 'console.amazonaws.cn'
    : region.startsWith('us-gov-')
      ? 'console.amazonaws-us-gov.com'
      : `${region}.console.aws.amazon.com`;
  const r = encodeURIComponent(region);
  return `https://${host}/cloudtrailv2/home?region=${r}#/events/${encodeURIComponent(eventID)}`;
}
