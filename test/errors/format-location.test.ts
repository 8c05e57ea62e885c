import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reportCliError } from '../../lib/cli/errors';
import { EXIT_INPUT_FAILED, EXIT_USAGE, UsageError } from '../../lib/cli/io';
import type { ErrorLocation } from '../../lib/errors';
import { formatError, formatLocation, TrailwatchError } from '../../lib/errors';
import type { Origin } from '../../lib/ingest';
import { formatOrigin } from '../../lib/ingest';
import { StateStoreError } from '../../lib/state/errors';
import { captureCliIo, runCli } from '../helpers/cli';

describe('formatLocation', () => {
  it.each<[ErrorLocation, string]>([
    [{}, ''],
    [{ file: 'rules/x.yml' }, 'rules/x.yml'],
    [{ file: 'rules/x.yml', line: 12 }, 'rules/x.yml:12'],
    [{ file: 'rules/x.yml', line: 12, column: 3 }, 'rules/x.yml:12:3'],
    [{ line: 4 }, 'line 4'],
    [{ line: 4, column: 9 }, 'line 4:9'],
    [{ column: 9 }, 'column 9'],
    [{ file: 'condition', column: 9 }, 'condition (column 9)'],
    [{ file: 's3://b/k.json.gz', record: 3, byte: 120 }, 's3://b/k.json.gz (record #3, byte 120)'],
    [
      { file: 'logs/a.json', line: 2, pointer: 'Records[3]', record: 3, byte: 120 },
      'logs/a.json:2 (Records[3], record #3, byte 120)',
    ],
    [{ record: 0 }, 'record #0'],
    [{ byte: 10 }, 'byte 10'],
    [{ rule: 'Root login' }, "rule 'Root login'"],
    [{ file: 'rules/x.yml', line: 2, rule: 'Root login' }, "rules/x.yml:2, rule 'Root login'"],
    [{ call: 'CreateTrail', resource: 'trail audit' }, 'CreateTrail on trail audit'],
    [{ service: 'S3', call: 'PutBucketPolicy', resource: 'bucket b' }, 'S3 PutBucketPolicy on bucket b'],
    [{ call: 'LookupEvents' }, 'LookupEvents'],
    [{ resource: "state table 't'" }, "state table 't'"],
  ])('%j prints as %j', (location, text) => {
    expect(formatLocation(location)).toBe(text);
  });

  const origins = fc.record(
    {
      source: fc.string({ minLength: 1 }),
      line: fc.nat(),
      index: fc.nat(),
      offset: fc.nat(),
      pointer: fc.string(),
    },
    { requiredKeys: ['source'] },
  );

  it('prints a record location exactly as the readers print its origin (formatOrigin)', () => {
    fc.assert(
      fc.property(origins, (origin: Origin) => {
        const location: ErrorLocation = {
          file: origin.source,
          ...(origin.line === undefined ? {} : { line: origin.line }),
          ...(origin.pointer === undefined ? {} : { pointer: origin.pointer }),
          ...(origin.index === undefined ? {} : { record: origin.index }),
          ...(origin.offset === undefined ? {} : { byte: origin.offset }),
        };
        expect(formatLocation(location)).toBe(formatOrigin(origin));
      }),
    );
  });

  const locations = fc.record(
    {
      file: fc.string({ minLength: 1 }),
      line: fc.nat(),
      column: fc.nat(),
      record: fc.nat(),
      byte: fc.nat(),
      rule: fc.string({ minLength: 1 }),
      call: fc.string({ minLength: 1 }),
      resource: fc.string({ minLength: 1 }),
    },
    { requiredKeys: [] },
  );

  it('prints every part it is given, and nothing for a location without parts', () => {
    // Each of the 2^8 combinations of parts is met about four times in 1000 runs.
    fc.assert(
      fc.property(locations, (location: ErrorLocation) => {
        const text = formatLocation(location);
        for (const part of [location.file, location.rule, location.call, location.resource])
          if (part !== undefined) expect(text).toContain(part);
        if (location.line !== undefined) expect(text).toContain(String(location.line));
        if (location.column !== undefined) expect(text).toContain(String(location.column));
        if (location.record !== undefined) expect(text).toContain(`record #${location.record}`);
        if (location.byte !== undefined) expect(text).toContain(`byte ${location.byte}`);
        expect(text === '').toBe(Object.keys(location).length === 0);
      }),
      { numRuns: 1000 },
    );
  });

  it('a located error prints as `<location>: <message>`, an unlocated one as its message', () => {
    fc.assert(
      fc.property(locations, fc.string(), (location: ErrorLocation, message: string) => {
        const where = formatLocation(location);
        const error = new TrailwatchError(message, 'test', { location });
        expect(formatError(error)).toBe(where === '' ? message : `${where}: ${message}`);
        expect(formatError(new TrailwatchError(message, 'test'))).toBe(message);
      }),
    );
  });

  it('prints anything thrown: an Error as its message, anything else as text', () => {
    expect(formatError(new Error('plain'))).toBe('plain');
    expect(formatError('a string')).toBe('a string');
    expect(formatError(42)).toBe('42');
  });
});

describe("the CLI's top-level error printer", () => {
  const cases: [string, unknown, number, RegExp][] = [
    [
      'a usage error: its line, exit 2',
      new UsageError('--since: not a time'),
      EXIT_USAGE,
      /^trailwatch: --since: not a time\n$/,
    ],
    [
      'a located TrailwatchError: `<location>: <message>`, exit 1, no stack',
      new TrailwatchError('is not a rule', 'test', { location: { file: 'r.yml', line: 3 } }),
      EXIT_INPUT_FAILED,
      /^trailwatch: error: r\.yml:3: is not a rule\n$/,
    ],
    [
      'an error whose message names its location: printed once',
      new StateStoreError('t', 'http://127.0.0.1:1', 'us-east-1', 'unreachable', 'ECONNREFUSED'),
      EXIT_INPUT_FAILED,
      /^trailwatch: error: state table 't' at http:\/\/127\.0\.0\.1:1 \(region us-east-1\) is unreachable: ECONNREFUSED\n$/,
    ],
    [
      'any other error: a fault of trailwatch, with its stack',
      new TypeError('x is undefined'),
      EXIT_INPUT_FAILED,
      /^trailwatch: unexpected failure: TypeError: x is undefined\n\s+at /,
    ],
  ];
  it.each(cases)('%s', async (_, error, exitCode, printed) => {
    const { io, finish } = captureCliIo();
    const code = reportCliError(error, io);
    await new Promise((resolve) => setImmediate(resolve));
    const run = finish(code);
    expect(run.code).toBe(exitCode);
    expect(run.stderr).toMatch(printed);
  });

  it('a configuration file that does not exist is one usage line through the printer', async () => {
    const run = await runCli(['scan', '--config', '/nonexistent/trailwatch.yml', '-']);
    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toBe(
      'trailwatch: invalid configuration:\n/nonexistent/trailwatch.yml: no such file\n',
    );
  });
});
