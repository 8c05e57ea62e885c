import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../lib/cli/main';
import { loadConfig } from '../../lib/config';
import type { BacktestReport } from '../../lib/history';
import { escapeHtml, renderBacktestHtml, runBacktest } from '../../lib/history';
import { mapOrdered } from '../../lib/ingest';
import { loadRules } from '../../lib/rules';
import {
  CORRUPT_KEY,
  EXPECTED_HISTORY,
  HISTORY_CONFIG,
  HISTORY_DAYS,
  HISTORY_RULE,
  historyObjects,
} from '../factories/history';
import { runCli } from '../helpers/cli';

const SINCE = Date.parse(`${HISTORY_DAYS[0]}T00:00:00Z`);
const UNTIL = Date.parse(`${HISTORY_DAYS[3]}T23:59:59Z`);

/** The generated organization trail written to a folder in the same layout as the bucket. */
function historyFolder(config = HISTORY_CONFIG): { root: string; rules: string; config: string } {
  const root = mkdtempSync(join(tmpdir(), 'trailwatch-history-'));
  for (const object of historyObjects()) {
    const path = join(root, 'bucket', object.key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, object.body);
  }
  writeFileSync(join(root, 'rule.yml'), HISTORY_RULE);
  writeFileSync(join(root, 'trailwatch.yml'), config);
  return { root: join(root, 'bucket'), rules: join(root, 'rule.yml'), config: join(root, 'trailwatch.yml') };
}

function backtestFolder(folder: ReturnType<typeof historyFolder>, until = UNTIL): Promise<BacktestReport> {
  return runBacktest({
    source: { kind: 'dir', path: folder.root },
    filter: { since: SINCE, until },
    rules: loadRules([folder.rules]),
    config: loadConfig(folder.config),
  });
}

describe('mapOrdered', () => {
  it('yields in input order while running up to the limit at once', async () => {
    let running = 0;
    let most = 0;
    const delays = [30, 5, 20, 1, 10, 2];
    const results: number[] = [];
    for await (const value of mapOrdered(delays, 3, async (ms) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, ms));
      running--;
      return ms;
    }))
      results.push(value);
    expect(results).toEqual(delays);
    expect(most).toBe(3);
  });

  it('pulls items lazily from an async source', async () => {
    let produced = 0;
    async function* source() {
      for (let i = 0; i < 100; i++) {
        produced++;
        yield i;
      }
    }
    const results = mapOrdered(source(), 2, async (n) => n * 2);
    expect((await results.next()).value).toBe(0);
    expect(produced).toBeLessThanOrEqual(3);
    await results.return(undefined);
  });

  it('a task that fails early is reported in its turn, never as an unhandled rejection', async () => {
    const results: number[] = [];
    const run = async () => {
      for await (const value of mapOrdered([1, 2, 3], 3, async (n) => {
        if (n === 2) throw new Error('object 2 failed');
        await new Promise((resolve) => setTimeout(resolve, 20));
        return n;
      }))
        results.push(value);
    };
    await expect(run()).rejects.toThrow('object 2 failed');
    expect(results).toEqual([1]);
  });

  it.each([
    ['no items', [], 4, []],
    ['a limit of one', [1, 2, 3], 1, [1, 2, 3]],
    ['a limit above the count', [1, 2], 10, [1, 2]],
  ])('handles %s', async (_, items, limit, expected) => {
    const results: number[] = [];
    for await (const value of mapOrdered(items, limit, async (n) => n)) results.push(value);
    expect(results).toEqual(expected);
  });
});

describe('backtest over a local folder in the trail layout', () => {
  it('gives the same report as over S3', async () => {
    const folder = historyFolder();
    const report = await backtestFolder(folder);
    expect(report).toMatchObject({
      records: EXPECTED_HISTORY.records,
      alerts: EXPECTED_HISTORY.alerts,
      afterDedup: EXPECTED_HISTORY.afterDedup,
      problemCount: 1,
    });
    expect(report.objects.read).toBe(EXPECTED_HISTORY.objectsRead + 1);
    // Digest files match the window by name but are recognised and skipped, not read as logs.
    expect(report.objects.skipped).toBe(2 * 3 * HISTORY_DAYS.length);
    expect(report.problems[0]).toContain(CORRUPT_KEY);
  });

  it('applies a suppression only while it was in force at the time of each event', async () => {
    const expiring = HISTORY_CONFIG.replace("expires: '2099-01-01'", "expires: '2026-10-02'");
    const folder = historyFolder(expiring);
    const report = await backtestFolder(folder);
    const [rule] = report.rules;
    // Bob is suppressed on the first two days (12 a day); after that his alerts dedup like alice's.
    expect(rule?.suppressed).toBe(24);
    expect(rule?.afterDedup).toBe(EXPECTED_HISTORY.afterDedup + 4);
    expect(rule?.perDay['2026-10-03']).toEqual({ alerts: 24, afterDedup: 4 });
  });
});

describe('thresholds and quiet days in a backtest', () => {
  it('counts correlation alerts per group, as the live pipeline raises them', async () => {
    const folder = historyFolder();
    const correlated = `${HISTORY_RULE}name: user_created
---
title: burst of user creations
id: 7e7c3f1e-0000-4000-8000-000000000002
level: high
correlation:
  type: event_count
  rules: [user_created]
  group-by: [userIdentity.arn]
  timespan: 30m
  condition: {gte: 6}
  generate: true
`;
    writeFileSync(folder.rules, correlated);
    const report = await backtestFolder(folder);
    const burst = report.rules.find((rule) => rule.title === 'burst of user creations');
    // Each principal (alice and bob, in each of 2 accounts) creates 6 users within 10 minutes a day:
    // 3 regions × 2 deliveries. That reaches the threshold once per principal per day.
    expect(burst).toMatchObject({ kind: 'correlation', alerts: 4 * HISTORY_DAYS.length });
    expect(Object.values(burst?.perDay ?? {}).map((d) => d.alerts)).toEqual([4, 4, 4, 4]);
    const detection = report.rules.find((rule) => rule.title === 'user created');
    expect(detection?.alerts).toBe(EXPECTED_HISTORY.alerts);
  });

  it('lists every day of the window, quiet ones too', async () => {
    const folder = historyFolder();
    const report = await backtestFolder(folder, Date.parse('2026-10-06T12:00:00Z'));
    expect(report.days).toEqual([...HISTORY_DAYS, '2026-10-05', '2026-10-06']);
    expect(report.rules[0]?.perDay['2026-10-05']).toBeUndefined();
  });
});

describe('trailwatch backtest from the command line', () => {
  it('draws a progress bar on a terminal and clears it at the end', async () => {
    const folder = historyFolder();
    const stderr = Object.assign(new PassThrough(), { isTTY: true });
    const stdout = new PassThrough();
    const err: Buffer[] = [];
    stderr.on('data', (chunk: Buffer) => err.push(chunk));
    stdout.resume();
    const code = await main(
      [
        'backtest',
        folder.root,
        '--since',
        HISTORY_DAYS[0],
        '--until',
        `${HISTORY_DAYS[3]}T23:59:59Z`,
        '--rules',
        folder.rules,
        '--config',
        folder.config,
      ],
      { stdout, stderr, stdin: Readable.from([]) },
    );
    expect(code).toBe(1);
    const text = Buffer.concat(err).toString();
    expect(text).toContain('\r\u001b[2K[');
    expect(text).toMatch(/\[#*-*\] \d+% day \d\/4, \d+ objects, \d+ records, \d+ alerts/);
    expect(text).toMatch(/\[#{24}\] 100% day 4\/4, 73 objects, 240 records, 96 alerts/);
  });

  it('--no-progress keeps a terminal quiet', async () => {
    const folder = historyFolder();
    const stderr = Object.assign(new PassThrough(), { isTTY: true });
    const err: Buffer[] = [];
    stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const stdout = new PassThrough();
    stdout.resume();
    await main(
      ['backtest', folder.root, '--since', HISTORY_DAYS[0], '--rules', folder.rules, '--no-progress'],
      {
        stdout,
        stderr,
        stdin: Readable.from([]),
      },
    );
    expect(Buffer.concat(err).toString()).not.toContain('\r');
  });

  const refused: [string, string[], RegExp][] = [
    ['no --since', ['backtest', '.'], /backtest needs --since/],
    [
      'a folder that is not there',
      ['backtest', '/nonexistent/trail', '--since', '-7d'],
      /not a directory or s3:\/\/bucket\/prefix/,
    ],
    [
      'a bad --concurrency',
      ['backtest', '.', '--since', '-7d', '--concurrency', '0'],
      /--concurrency takes a whole number from 1 to 64/,
    ],
    [
      'a bad account',
      ['backtest', '.', '--since', '-7d', '--accounts', '12345'],
      /--accounts takes 12-digit account ids/,
    ],
    [
      'a bad region',
      ['backtest', '.', '--since', '-7d', '--regions', 'mars'],
      /--regions takes region names/,
    ],
    ['a window backwards', ['backtest', '.', '--since', '-1d', '--until', '-7d'], /--since is after --until/],
    ['an unreadable time', ['backtest', '.', '--since', 'last spring'], /--since: cannot read "last spring"/],
    [
      'an unknown format',
      ['backtest', '.', '--since', '-1d', '--format', 'xml'],
      /--format takes table, json/,
    ],
  ];
  for (const [what, args, message] of refused) {
    it(`refuses ${what}`, async () => {
      const run = await runCli(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
    });
  }
});

describe('the HTML report', () => {
  const report: BacktestReport = {
    source: 's3://bucket/<prefix>',
    since: '2026-10-01T00:00:00.000Z',
    until: '2026-10-02T00:00:00.000Z',
    accounts: null,
    regions: null,
    objects: { listed: 2, read: 2, skipped: 0, bytes: 10 },
    records: 10,
    alerts: 3,
    afterDedup: 2,
    days: ['2026-10-01', '2026-10-02'],
    rules: [
      {
        id: 'r1',
        title: 'Rule <script>alert(1)</script>',
        level: 'high',
        kind: 'detection',
        alerts: 3,
        afterDedup: 2,
        deduplicated: 1,
        suppressed: 0,
        perDay: { '2026-10-01': { alerts: 1, afterDedup: 1 }, '2026-10-02': { alerts: 2, afterDedup: 1 } },
        topPrincipals: [{ principal: 'arn:aws:iam::1:user/"><img src=x>', alerts: 3 }],
        topPeople: [{ name: 'alice"><img src=x>', known: true, alerts: 3 }],
      },
    ],
    problems: ['file.json.gz: invalid <JSON>'],
    problemCount: 1,
    ruleErrors: 0,
  };

  it('escapes every rule- and event-derived text and stays self-contained', () => {
    const page = renderBacktestHtml(report);
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img');
    expect(page).toContain('Rule &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('invalid &lt;JSON&gt;');
    expect(page).not.toMatch(/src="http|<link/);
    // Two bars on each chart: one segment per day for the single rule.
    expect(page.match(/<rect /g)).toHaveLength(4);
    expect(page).toContain('<title>2026-10-02: Rule &lt;script&gt;alert(1)&lt;/script&gt;: 2</title>');
  });

  it('says so when there is nothing to draw', () => {
    const page = renderBacktestHtml({
      ...report,
      alerts: 0,
      days: [],
      rules: [],
      problems: [],
      problemCount: 0,
    });
    expect(page).toContain('Alerts per rule per day: no alerts.');
    expect(page).toContain('No input problems.');
  });

  it.each([
    ['&', '&amp;'],
    ['<>', '&lt;&gt;'],
    ['"\'', '&quot;&#39;'],
  ])('escapes %s', (text, escaped) => expect(escapeHtml(text)).toBe(escaped));

  it('is written by --html next to the table', async () => {
    const folder = historyFolder();
    const html = join(folder.root, '..', 'out.html');
    const run = await runCli([
      'backtest',
      folder.root,
      '--since',
      HISTORY_DAYS[0],
      '--until',
      HISTORY_DAYS[1],
      '--rules',
      folder.rules,
      '--config',
      folder.config,
      '--html',
      html,
    ]);
    expect(run.stderr).toContain(`wrote ${html}`);
    expect(readFileSync(html, 'utf8')).toContain('user created');
  });
});
