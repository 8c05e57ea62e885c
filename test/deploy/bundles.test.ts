/**
 * What `serverless package` ships per function, read from the zips themselves: one bundle under
 * 1 MB, no source map, the rule pack once (pre-parsed, no rule YAML beside it), re2js and yaml
 * beside the bundle rather than in it, and neither they nor any AWS SDK client loaded before the
 * handler runs (each costs milliseconds to tens of milliseconds of cold start).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { eventBridgeCloudTrail } from '../factories/events';
import type { Packaged } from './package';
import { packageStack, ROOT } from './package';

/** The bundle budget (bytes of the function's bundle, uncompressed). */
const BUNDLE_LIMIT_BYTES = 1_000_000;
/** Any source map this size or more is shipped by mistake (the linked map was 3 MB per function). */
const MAP_LIMIT_BYTES = 1;
/** The functions fired by trail deliveries: their cold start is on the alerting path. */
const INGEST = {
  s3Ingest: 's3',
  snsIngest: 'sns',
  logsIngest: 'logs',
  eventsIngest: 'eventbridge',
  queueIngest: 'queue',
};
const ALL = { ...INGEST, trailBootstrap: 'trail' };

interface Entry {
  readonly name: string;
  readonly bytes: number;
}

/** `unzip -l`: one line per file, `  <bytes>  <date> <time>   <name>`. */
function entries(zip: string): Entry[] {
  const listing = execFileSync('unzip', ['-l', zip], { encoding: 'utf8' });
  return [...listing.matchAll(/^\s*(\d+)\s+\S+\s+\S+\s+(\S.*)$/gm)].map((match) => ({
    bytes: Number(match[1]),
    name: match[2] ?? '',
  }));
}

/**
 * Runs a function's bundle from its unzipped package: loads it (its init) and, with an event, calls
 * its handler. Answers the @aws-sdk packages and the dist/vendor files in require's cache after the
 * init, and after the event with the handler's result.
 */
function runPackaged(
  packaged: Packaged,
  fn: string,
  file: string,
  event?: unknown,
): {
  sdk: string[];
  vendored: string[];
  builtins: string[];
  afterEvent?: { vendored: string[]; result: Record<string, number> };
} {
  const dir = mkdtempSync(join(tmpdir(), `trailwatch-${fn}-`));
  execFileSync('unzip', ['-q', join(packaged.dir, `${fn}.zip`), '-d', dir]);
  const script = [
    'const before = new Set(process.moduleLoadList);',
    `const handler = require(${JSON.stringify(join(dir, 'functions', file))}).handler;`,
    // Node's own modules a function needs only for what it seldom or never does.
    'const builtins = process.moduleLoadList.filter((m) => !before.has(m) && /^NativeModule (internal\\/webstreams|worker_threads|internal\\/fs\\/promises)/.test(m));',
    'const cached = () => Object.keys(require.cache);',
    'const sdk = cached().map((p) => p.match(/node_modules\\/(@aws-sdk\\/[^/]+)/)?.[1]).filter(Boolean);',
    "const vendored = () => cached().filter((p) => p.includes('/dist/vendor/')).map((p) => p.split('/').pop()).sort();",
    'const init = { sdk: [...new Set(sdk)].sort(), vendored: vendored(), builtins };',
    `const event = ${JSON.stringify(event ?? null)};`,
    "const answer = (afterEvent) => process.stdout.write('\\n' + JSON.stringify({ ...init, ...afterEvent }));",
    "if (event === null) answer({}); else handler(event, { awsRequestId: 'bundles-test' }).then((result) => answer({ afterEvent: { vendored: vendored(), result } }));",
  ].join('\n');
  const run = spawnSync(process.execPath, ['-e', script], {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      // Lambda's runtime provides the SDK; here it comes from the repository's node_modules.
      NODE_PATH: join(ROOT, 'node_modules'),
      NODE_OPTIONS: '',
      TRAILWATCH_RULES_PACK: join(dir, 'dist', 'rules-pack.json'),
      TRAILWATCH_CONFIG: join(dir, 'trailwatch.yml'),
      TRAILWATCH_STATE_TABLE: '',
      LOG_LEVEL: 'error',
    },
  });
  if (run.status !== 0) throw new Error(`${fn} failed to load: ${run.stderr}`);
  // The last line: the metrics the handler prints (EMF) come before it.
  return JSON.parse(run.stdout.trim().split('\n').pop() as string) as ReturnType<typeof runPackaged>;
}

function sdkLoadedAtInit(packaged: Packaged, fn: string, file: string): string[] {
  return runPackaged(packaged, fn, file).sdk;
}

/** A shipped rule with a `|re` value, and an EventBridge event of its positive test's record. */
function snsPolicyRule(): { id: string; detection: object; tests: { expect: boolean; event: object }[] } {
  const file = join(ROOT, 'rules', 'storage-exfiltration', 'sns-topic-policy-public.yml');
  return parse(readFileSync(file, 'utf8')) as ReturnType<typeof snsPolicyRule>;
}

function snsPolicyEvent(): unknown {
  const positive = snsPolicyRule().tests.find((test) => test.expect)?.event;
  const record = {
    eventVersion: '1.09',
    eventID: 'bundles-test-1',
    eventTime: '2024-05-01T10:00:00Z',
    awsRegion: 'us-east-1',
    ...positive,
  };
  return eventBridgeCloudTrail(record as Parameters<typeof eventBridgeCloudTrail>[0]);
}

let packaged: Packaged;
beforeAll(() => {
  packaged = packageStack([]);
}, 180_000);

describe('each function package', () => {
  for (const [fn, file] of Object.entries(ALL)) {
    it(`${fn}: one bundle under 1 MB, no source map, the rule pack once`, () => {
      const files = entries(join(packaged.dir, `${fn}.zip`));
      const bundle = files.find((entry) => entry.name === `functions/${file}.cjs`);
      expect(bundle?.bytes).toBeGreaterThan(0);
      expect(bundle?.bytes).toBeLessThan(BUNDLE_LIMIT_BYTES);
      expect(files.filter((entry) => entry.name.endsWith('.map') && entry.bytes >= MAP_LIMIT_BYTES)).toEqual(
        [],
      );
      expect(files.filter((entry) => entry.name === 'dist/rules-pack.json')).toHaveLength(1);
      // ASCII only (scripts/build-rule-pack.mjs): one wider character makes Node read the whole
      // pack into a two-byte string, slower to decode and parse in every cold start.
      const pack = execFileSync('unzip', ['-p', join(packaged.dir, `${fn}.zip`), 'dist/rules-pack.json']);
      expect(pack.findIndex((byte) => byte > 0x7e)).toBe(-1);
      expect(files.filter((entry) => /\.ya?ml$/.test(entry.name))).toEqual([]);
      // Nothing else: a stray file from an earlier build would show here.
      expect(files.map((entry) => entry.name).sort()).toEqual([
        'dist/rules-pack.json',
        'dist/vendor/re2js.cjs',
        'dist/vendor/yaml.cjs',
        `functions/${file}.cjs`,
      ]);
    });
  }

  it('the template starts Node without --enable-source-maps', () => {
    const variables = Object.values(packaged.template.Resources)
      .filter((resource) => resource.Type === 'AWS::Lambda::Function')
      .map(
        (resource) =>
          (resource.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables,
      );
    expect(variables.length).toBe(Object.keys(ALL).length);
    for (const vars of variables) expect(vars?.NODE_OPTIONS).toBeUndefined();
  });
});

describe('ingest bundles load no AWS SDK client at init', () => {
  for (const [fn, file] of Object.entries(INGEST)) {
    it(`${fn}`, () => {
      const init = runPackaged(packaged, fn, `${file}.cjs`);
      expect(init.sdk).toEqual([]);
      // Nor node:stream/web (imported by @middy/core), node:worker_threads or node:fs/promises.
      expect(init.builtins).toEqual([]);
    });
  }

  it('nor re2js or yaml, which an event reaching a |re rule loads then (and the rule alerts)', () => {
    expect(JSON.stringify(snsPolicyRule().detection)).toContain('|re');
    const run = runPackaged(packaged, 'eventsIngest', 'eventbridge.cjs', snsPolicyEvent());
    expect(run.vendored).toEqual([]);
    expect(run.afterEvent?.vendored).toEqual(['re2js.cjs']);
    expect(run.afterEvent?.result).toMatchObject({ recordsRead: 1, alerts: 1, poisonRecords: 0 });
  });

  it("a deployment's trailwatch.yml is read with the vendored yaml at init: a rule it disables stays quiet", () => {
    const withConfig = packageStack([], `rules:\n  disabled: [${snsPolicyRule().id}]\n`);
    const run = runPackaged(withConfig, 'eventsIngest', 'eventbridge.cjs', snsPolicyEvent());
    expect(run.vendored).toEqual(['yaml.cjs']);
    expect(run.afterEvent?.result).toMatchObject({ recordsRead: 1, alerts: 0, poisonRecords: 0 });
  }, 180_000);

  it('the bootstrap function does load its clients at init (the check can fail)', () => {
    expect(sdkLoadedAtInit(packaged, 'trailBootstrap', 'trail.cjs')).toContain('@aws-sdk/client-cloudtrail');
  });
});
