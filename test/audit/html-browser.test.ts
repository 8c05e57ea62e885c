import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { decodePng, inkStats, shareNear } from './png';
import { ADMIN, assumeRole, call, iamUser, logFile, ORG_ADMIN, roleSession } from './scenario';

/** Where a Chromium may be installed; the first on PATH is used. */
const BROWSERS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
/** Headless Chromium takes a few seconds to start on a busy 2-core machine. */
const BROWSER_TIMEOUT_MS = 90_000;

function findBrowser(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of BROWSERS) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

const browser = findBrowser();
if (browser === undefined) {
  console.warn(
    `test/audit/html-browser.test.ts: SKIPPED: no Chromium on PATH (looked for ${BROWSERS.join(', ')}); install one (apt-get install chromium) to render the audit page in a real browser`,
  );
}

/** Strings an attacker controls in a record: each must show as text, never as markup. */
const HOSTILE = {
  errorCode: '<script>document.title="pwned-error"</script>',
  errorMessage: '"><img src=x onerror="document.title=\'pwned-attr\'">',
  sourceIP: '<b>203.0.113.66</b>',
  ruleTitle: 'Created a user <script>document.title="pwned-rule"</script>',
};

let dir: string;
let page: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'audit-html-'));
  const alice = iamUser('alice');
  const admin = roleSession(ADMIN, 'deploy', 'ASIAALICEADMIN000001');
  const org = roleSession(ORG_ADMIN, 'deploy', 'ASIAALICEORG00000003');
  const records = [
    assumeRole('2026-11-20T09:00:00Z', alice, ADMIN, 'deploy', 'ASIAALICEADMIN000001'),
    call('2026-11-20T09:01:00Z', admin, 'iam', 'ListUsers', true),
    call('2026-11-20T09:02:00Z', admin, 'iam', 'CreateUser', false, { requestParameters: { userName: 'x' } }),
    call('2026-11-20T09:03:00Z', admin, 'iam', 'AttachUserPolicy', false, {
      errorCode: HOSTILE.errorCode,
      errorMessage: HOSTILE.errorMessage,
      sourceIPAddress: HOSTILE.sourceIP,
    }),
    assumeRole('2026-11-20T09:04:00Z', admin, ORG_ADMIN, 'deploy', 'ASIAALICEORG00000003'),
    call('2026-11-20T09:05:00Z', org, 's3', 'ListBuckets', true),
    call('2026-11-20T09:06:00Z', org, 's3', 'PutBucketPolicy', false),
  ];
  const logs = join(dir, 'logs.json');
  writeFileSync(logs, logFile(records));
  const rule = join(dir, 'create-user.yml');
  writeFileSync(
    rule,
    [
      `title: '${HOSTILE.ruleTitle}'`,
      'id: 0d9e8f7a-0000-4000-8000-00000000a0d1',
      'level: high',
      'logsource: {product: aws, service: cloudtrail}',
      'detection:',
      '  selection:',
      '    eventName: CreateUser',
      '  condition: selection',
      '',
    ].join('\n'),
  );
  page = join(dir, 'alice.html');
  const run = await runCli(['audit', logs, '--who', 'alice', '--rules', rule, '--html', page]);
  expect(run.stderr).not.toContain('error');
  expect(run.code).toBe(0);
});

describe.skipIf(browser === undefined)('the audit page in headless Chromium', () => {
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ];
  const run = (extra: readonly string[]) =>
    spawnSync(browser as string, [...flags, `--user-data-dir=${join(dir, 'profile')}`, ...extra], {
      encoding: 'utf8',
      timeout: BROWSER_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });

  it(
    'renders a timeline: a non-blank screenshot with the write dots and the rule badge drawn',
    () => {
      const shot = join(dir, 'alice.png');
      const result = run([`--screenshot=${shot}`, '--window-size=1280,2000', pathToFileURL(page).href]);
      expect(result.error).toBeUndefined();
      const size = statSync(shot).size;
      expect(size).toBeGreaterThan(20_000);
      const image = decodePng(readFileSync(shot));
      expect([image.width, image.height]).toEqual([1280, 2000]);
      const ink = inkStats(image);
      // Text, tables, the timeline: some ink, many colours (anti-aliased text), not a blank page.
      expect(ink.inked).toBeGreaterThan(0.01);
      expect(ink.colours).toBeGreaterThan(50);
      // The `high` rule badge (#c62828) and the orange write dots (#e8833a) are on the page.
      expect(shareNear(image, [0xc6, 0x28, 0x28])).toBeGreaterThan(0);
      expect(shareNear(image, [0xe8, 0x83, 0x3a])).toBeGreaterThan(0);
      // Kept for a human to look at: test/audit writes it beside the page.
      console.info(`audit page screenshot: ${shot} (${size} bytes, ${(ink.inked * 100).toFixed(1)}% inked)`);
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'shows every hostile string as text: the DOM holds no element or attribute made from data',
    () => {
      const result = run(['--dump-dom', pathToFileURL(page).href]);
      expect(result.error).toBeUndefined();
      const dom = result.stdout;
      expect(dom).toContain('<h1>What alice did</h1>');
      // No script ran (the title would have changed) and none exists.
      expect(dom).toContain('<title>trailwatch audit: alice</title>');
      expect(dom).not.toMatch(/<script/i);
      expect(dom).not.toMatch(/<img/i);
      expect(dom).not.toContain('<b>203.0.113.66</b>');
      // The browser parsed them back to text: escaped again in the serialised DOM.
      expect(dom).toContain('&lt;script&gt;document.title="pwned-error"&lt;/script&gt;');
      expect(dom).toContain('&lt;b&gt;203.0.113.66&lt;/b&gt;');
      expect(dom).toContain('Created a user &lt;script&gt;');
    },
    BROWSER_TIMEOUT_MS,
  );
});

describe('the audit page source', () => {
  it('is self-contained: inline style only, no script, link, image or URL', () => {
    const html = readFileSync(page, 'utf8');
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/url\(|@import/i);
    // Every tag and attribute is the renderer's own: data only ever lands in text or a quoted value.
    const tags = new Set<string>();
    const attributes = new Set<string>();
    for (const [, tag = '', rest = ''] of html.matchAll(/<([a-z][a-z0-9]*)([^>]*)>/gi)) {
      tags.add(tag.toLowerCase());
      for (const [, name = ''] of rest.matchAll(/\s([a-z-]+)=(?:"[^"]*"|'[^']*'|[^\s"'>]+)/gi)) {
        attributes.add(name.toLowerCase());
      }
    }
    expect([...attributes].sort()).toEqual(['charset', 'class', 'content', 'lang', 'name', 'title']);
    for (const forbidden of ['script', 'link', 'img', 'iframe', 'object', 'embed', 'a', 'form', 'svg']) {
      expect(tags.has(forbidden)).toBe(false);
    }
    for (const text of Object.values(HOSTILE)) expect(html).not.toContain(text);
  });
});
