import { describe, expect, it } from 'vitest';
import type { TrailSettings } from '../../lib/trail';
import { bucketNameProblem, desiredTrail, trailNameProblem } from '../../lib/trail';

describe('trail names', () => {
  const cases: [string, RegExp | undefined][] = [
    ['trailwatch', undefined],
    ['org.trail_01-x', undefined],
    ['ab', /3 to 128 characters/],
    ['a'.repeat(129), /3 to 128 characters/],
    ['-trail', /start and end with a letter or digit/],
    ['trail-', /start and end with a letter or digit/],
    ['my trail', /may hold letters, digits/],
    ['my..trail', /must not contain '\.\.'/],
    ['my_.trail', /must not contain/],
    ['my-.trail', /must not contain/],
    ['10.0.0.1', /must not be an IP address/],
  ];
  for (const [name, problem] of cases) {
    it(name.length > 20 ? `${name.slice(0, 10)}… (${name.length})` : name, () => {
      if (problem) expect(trailNameProblem(name)).toMatch(problem);
      else expect(trailNameProblem(name)).toBeUndefined();
    });
  }
});

describe('bucket names', () => {
  const cases: [string, RegExp | undefined][] = [
    ['my-trail-logs', undefined],
    ['My-Bucket', /lowercase/],
    ['ab', /3 to 63/],
    ['a..b', /must not contain/],
    ['192.168.5.4', /IP address/],
    ['xn--bucket', /reserves/],
  ];
  for (const [name, problem] of cases) {
    it(name, () => {
      if (problem) expect(bucketNameProblem(name)).toMatch(problem);
      else expect(bucketNameProblem(name)).toBeUndefined();
    });
  }
});

describe('the desired trail', () => {
  const base: TrailSettings = { name: 'trailwatch', bucket: { name: 'trail-logs' } };

  it('defaults to multi-region, global events, validation, all management events, a Compliance tag', () => {
    const result = desiredTrail(base);
    expect(result).toMatchObject({
      ok: true,
      trail: {
        multiRegion: true,
        globalServiceEvents: true,
        logFileValidation: true,
        tags: { Compliance: 'Auditing' },
        eventSelectors: [
          {
            ReadWriteType: 'All',
            IncludeManagementEvents: true,
            DataResources: [],
            ExcludeManagementEventSources: [],
          },
        ],
        staleAfterMinutes: 60,
      },
    });
  });

  it('maps management events, exclusions and data events to a selector', () => {
    const result = desiredTrail({
      ...base,
      management_events: 'write',
      exclude_management_sources: ['kms', 'rdsdata'],
      data_events: [
        { type: 's3', values: ['arn:aws:s3:::secrets/'] },
        { type: 'lambda', values: ['arn:aws:lambda'] },
      ],
      insights: ['ApiCallRateInsight'],
    });
    expect(result.ok && result.trail.eventSelectors).toEqual([
      {
        ReadWriteType: 'WriteOnly',
        IncludeManagementEvents: true,
        DataResources: [
          { Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::secrets/'] },
          { Type: 'AWS::Lambda::Function', Values: ['arn:aws:lambda'] },
        ],
        ExcludeManagementEventSources: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'],
      },
    ]);
  });

  it('takes advanced selectors instead of the basic settings, not with them', () => {
    const advanced = [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }];
    expect(desiredTrail({ ...base, advanced_event_selectors: advanced })).toMatchObject({
      ok: true,
      trail: { eventSelectors: [], advancedEventSelectors: advanced },
    });
    expect(
      desiredTrail({ ...base, advanced_event_selectors: advanced, management_events: 'write' }),
    ).toMatchObject({ ok: false, problems: [expect.stringMatching(/use one or the other/)] });
    const many = [
      {
        FieldSelectors: [
          {
            Field: 'resources.ARN',
            StartsWith: Array.from({ length: 501 }, (_, i) => `arn:aws:s3:::b${i}/`),
          },
        ],
      },
    ];
    expect(desiredTrail({ ...base, advanced_event_selectors: many })).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/501 advanced selector values exceed CloudTrail's limit of 500/)],
    });
  });

  it('refuses more than 250 data resources, bad names, and a trail that logs nothing, all at once', () => {
    const result = desiredTrail({
      name: 'x',
      bucket: { name: 'Bad_Bucket' },
      management_events: 'none',
      data_events: [{ type: 's3', values: Array.from({ length: 251 }, (_, i) => `arn:aws:s3:::b${i}/`) }],
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      expect.stringMatching(/trail name 'x' must be 3 to 128/),
      expect.stringMatching(/bucket name 'Bad_Bucket'/),
      expect.stringMatching(/251 data resources exceed CloudTrail's limit of 250/),
    ]);
    expect(desiredTrail({ ...base, management_events: 'none' })).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/would log nothing/)],
    });
  });
});
