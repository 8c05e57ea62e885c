import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consoleEventUrl, safeConsoleUrl } from '../../lib/alerts';
import { consoleEventUrlViaUrlApi } from '../../lib/alerts/console-link';
import { emailMessage, pagerDutyEvent, slackMessage, teamsMessage } from '../../lib/notify';
import { BASE_RECORD, forgedRecord, hostileAlert } from '../factories/hostile';

const EVENT_ID = '3b4c5d6e-0000-4000-8000-000000000001';

describe('console links come only from a real region code', () => {
  it.each([
    [
      'us-east-1',
      `https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/${EVENT_ID}`,
    ],
    [
      'ap-southeast-7',
      `https://ap-southeast-7.console.aws.amazon.com/cloudtrailv2/home?region=ap-southeast-7#/events/${EVENT_ID}`,
    ],
    ['cn-north-1', `https://console.amazonaws.cn/cloudtrailv2/home?region=cn-north-1#/events/${EVENT_ID}`],
    [
      'us-gov-west-1',
      `https://console.amazonaws-us-gov.com/cloudtrailv2/home?region=us-gov-west-1#/events/${EVENT_ID}`,
    ],
  ])('%s links to its own partition console', (region, url) => {
    expect(consoleEventUrl(region, EVENT_ID)).toBe(url);
  });

  it.each([
    ['a host and fragment', 'evil.com/#'],
    ['a host with a path', 'evil.com/x?'],
    ['credentials', 'user@evil.com'],
    ['a region followed by a host', 'us-east-1.evil.com'],
    ['a region with a trailing newline', 'us-east-1\n'],
    ['an upper-case region', 'US-EAST-1'],
    ['an unknown prefix', 'xx-east-1'],
    ['an ISO partition region (console not on the internet)', 'us-iso-east-1'],
    ['an empty string', ''],
    ['a number', 1],
    ['an object', { region: 'us-east-1' }],
    ['null', null],
  ])('%s gives no link', (_name, region) => {
    expect(consoleEventUrl(region, EVENT_ID)).toBeUndefined();
  });

  it.each([
    ['an object', { id: 1 }],
    ['a number', 42],
    ['an empty string', ''],
    ['a huge string', 'e'.repeat(10_000)],
  ])('an event id that is %s gives no link', (_name, eventID) => {
    expect(consoleEventUrl('us-east-1', eventID)).toBeUndefined();
  });

  it('percent-encodes an event id so it cannot close the fragment or a Slack link', () => {
    const url = consoleEventUrl('eu-west-1', 'a|b>c <d>`e');
    expect(url).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/events/a%7Cb%3Ec%20%3Cd%3E%60e',
    );
  });

  it('a crafted awsRegion reaches no notifier as a link', () => {
    const alert = hostileAlert(forgedRecord({ ...BASE_RECORD, awsRegion: 'evil.com/#' }));
    expect(alert.consoleUrl).toBeUndefined();
    const everything = JSON.stringify([
      slackMessage(alert),
      teamsMessage(alert),
      emailMessage(alert),
      pagerDutyEvent(alert, 'key'),
    ]);
    expect(everything).not.toMatch(/https?:\/\/[^"\s]*evil/);
    expect(everything).not.toContain('View in CloudTrail');
    expect(everything).not.toContain('View this event');
  });

  it.each([
    ['another host', 'https://evil.com/cloudtrailv2/'],
    ['a look-alike host', 'https://us-east-1.console.aws.amazon.com.evil.com/'],
    ['plain http', 'http://us-east-1.console.aws.amazon.com/'],
    ['credentials', 'https://a:b@us-east-1.console.aws.amazon.com/'],
    ['a Slack link breaker', 'https://us-east-1.console.aws.amazon.com/#|x'],
    ['not a URL', 'not a url'],
  ])('a consoleUrl with %s set by other code is not rendered', (_name, url) => {
    expect(safeConsoleUrl(url)).toBeUndefined();
  });
});

describe('consoleEventUrl written out', () => {
  it('is exactly what the URL API serialises for the same region and event id (property)', () => {
    const region = fc.oneof(
      fc.constantFrom(
        'us-east-1',
        'eu-west-3',
        'cn-north-1',
        'us-gov-west-1',
        'ap-southeast-7',
        'mx-central-1',
      ),
      fc
        .tuple(
          fc.constantFrom('us', 'eu', 'ap', 'sa', 'ca', 'me', 'af', 'il', 'mx', 'cn', 'us-gov'),
          fc.stringMatching(/^[a-z]{2,12}$/),
          fc.integer({ min: 1, max: 99 }),
        )
        .map(([partition, name, number]) => `${partition}-${name}-${number}`),
      fc.string({ maxLength: 12 }),
    );
    const eventID = fc.oneof(
      fc.uuid(),
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.constantFrom('', '#/../x', 'a b', "!'()*", '%41', '?region=evil', '\\u0000'),
    );
    fc.assert(
      fc.property(region, eventID, (r, id) => {
        expect(consoleEventUrl(r, id)).toBe(consoleEventUrlViaUrlApi(r, id));
      }),
      { numRuns: 5000 },
    );
  });
});
