import { encodeUnreservedOnly } from '../text';

/**
 * The shape of an AWS region code in the partitions whose console is on the public internet:
 * `us-east-1`, `ap-southeast-7`, `cn-north-1`, `us-gov-west-1`. Anything else from a record's
 * `awsRegion` (a forged `evil.com/#`, a number, an ISO-partition region whose console is on a
 * private network) gets no link: the host of a link we send must never come from an event.
 * Region list: https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html
 */
const REGION_CODE = /^(?:us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov)-[a-z]{2,12}-[1-9]\d?$/;

/** CloudTrail event ids are UUIDs; a longer value is not an event id worth a link. */
const EVENT_ID_MAX = 128;

/**
 * A UTF-16 code unit of a surrogate pair standing alone: `encodeURIComponent` throws a URIError on
 * it, so such an id (any JSON string can hold one, `"\ud800"`) gets no link rather than a throw.
 */
const LONE_SURROGATE = /\p{Cs}/u;

export function isRegionCode(value: unknown): value is string {
  return typeof value === 'string' && REGION_CODE.test(value);
}

/** The console host of a region's partition: https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html */
function consoleHost(region: string): string {
  if (region.startsWith('cn-')) return 'console.amazonaws.cn';
  if (region.startsWith('us-gov-')) return 'console.amazonaws-us-gov.com';
  return `${region}.console.aws.amazon.com`;
}

/**
 * A link to the event in the CloudTrail console's Event history, in the event's own region and
 * partition (Event history is regional and kept 90 days), or undefined when the region is not a
 * region code or the event id is not a short string. A fixed scheme and path and a host chosen by
 * us; the region and the event id only ever land in the query and fragment. The string is what
 * the URL API serialises for the same parts (`consoleEventUrlViaUrlApi`, checked by property test),
 * written out because an alert is built per match and the URL API costs more than the rest of it:
 * the region is a region code (lowercase letters, digits, hyphens: nothing to encode, a host the
 * API would leave as is) and the event id is percent-encoded down to unreserved characters, which
 * the fragment keeps verbatim.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events-console.html
 */
export function consoleEventUrl(region: unknown, eventID: unknown): string | undefined {
  if (!isRegionCode(region)) return undefined;
  if (typeof eventID !== 'string' || eventID === '' || eventID.length > EVENT_ID_MAX) return undefined;
  if (LONE_SURROGATE.test(eventID)) return undefined;
  // Strictly encoded: `safeConsoleUrl` refuses `!'()*` where a link is rendered (Markdown reads parentheses).
  return `https://${consoleHost(region)}/cloudtrailv2/home?region=${region}#/events/${encodeUnreservedOnly(eventID)}`;
}

/** `consoleEventUrl` through the URL API, as it was first built: the reference its tests compare with. */
export function consoleEventUrlViaUrlApi(region: unknown, eventID: unknown): string | undefined {
  if (!isRegionCode(region)) return undefined;
  if (typeof eventID !== 'string' || eventID === '' || eventID.length > EVENT_ID_MAX) return undefined;
  if (LONE_SURROGATE.test(eventID)) return undefined;
  const url = new URL('/cloudtrailv2/home', `https://${consoleHost(region)}`);
  url.searchParams.set('region', region);
  url.hash = `/events/${encodeUnreservedOnly(eventID)}`;
  return url.href;
}

const CONSOLE_HOST =
  /^(?:[a-z0-9-]+\.console\.aws\.amazon\.com|console\.amazonaws\.cn|console\.amazonaws-us-gov\.com)$/;

/**
 * The link an alert carries, checked again where it is rendered (any code may build an Alert):
 * an https URL on an AWS console host, as the URL API serialises it, with no character that
 * Slack (`|`, `<`, `>`) or Markdown (`(`, `)`, spaces) would read as syntax. Otherwise undefined.
 */
export function safeConsoleUrl(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.port) return undefined;
  if (!CONSOLE_HOST.test(url.hostname)) return undefined;
  return /[\s|<>()`"'\\]/.test(url.href) ? undefined : url.href;
}
