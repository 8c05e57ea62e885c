import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../helpers/cli';
import { fixtureRecords } from '../helpers/fixtures';
import type { Receiver } from '../helpers/receiver';
import { startReceiver } from '../helpers/receiver';

let receiver: Receiver;
let dir: string;
beforeEach(async () => {
  receiver = await startReceiver();
  dir = mkdtempSync(join(tmpdir(), 'trailwatch-notify-'));
  vi.stubEnv('TRAILWATCH_TEST_SLACK', receiver.url);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await receiver.close();
});

function writeConfig(text: string): string {
  const path = join(dir, 'trailwatch.yml');
  writeFileSync(path, text);
  return path;
}

const SLACK = `destinations:
  security: {type: slack, webhook_url: {env: TRAILWATCH_TEST_SLACK}}
routing:
  defaults: {critical: [security], high: [security], medium: [security]}
`;

describe('trailwatch notify test', () => {
  it('sends a sample alert to the destination', async () => {
    const run = await runCli(['notify', 'test', 'security', '--config', writeConfig(SLACK)]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/sent a test alert to security \(slack\) in 1 attempt\(s\): HTTP 200/);
    expect(receiver.requests[0]?.body).toContain('trailwatch test notification');
  });

  it('says what failed, without the secret', async () => {
    receiver.script = () => ({ status: 404, body: 'no_service' });
    const run = await runCli(['notify', 'test', 'security', '--config', writeConfig(SLACK)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /security \(slack\): Slack webhook \(127\.0\.0\.1:\d+\): HTTP 404 "no_service"/,
    );
    expect(run.stderr).not.toContain('secret-token');
  });

  it('exits 2 for an unknown destination', async () => {
    const run = await runCli(['notify', 'test', 'nope', '--config', writeConfig(SLACK)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no destination 'nope' .*\(defined: security\)/);
  });
});

describe('trailwatch config validate', () => {
  it('accepts a good file and reports expired suppressions', async () => {
    const run = await runCli([
      'config',
      'validate',
      '--config',
      writeConfig(`${SLACK}suppressions:
  - match: {principals: ['arn:aws:iam::*:user/ci']}
    reason: CI account rotation
    owner: platform
    expires: 2020-01-01
`),
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/trailwatch\.yml:6: suppression expired on 2020-01-01/);
    expect(run.stdout).toMatch(
      /1 destination\(s\), 0 route\(s\), 1 suppression\(s\) \(1 expired\), state memory; 0 error\(s\)/,
    );
  });

  const bad: [string, string, RegExp][] = [
    [
      'a plain-text Slack URL',
      'destinations:\n  s: {type: slack, webhook_url: "https://hooks.slack.com/services/x"}\n',
      /trailwatch\.yml:2: destinations\.s\.webhook_url: a secret is a reference/,
    ],
    [
      'an unknown destination type',
      'destinations:\n  s: {type: carrier-pigeon}\n',
      /trailwatch\.yml:2: destinations\.s\.type: unknown type 'carrier-pigeon'/,
    ],
    [
      'a route to an undefined destination',
      'routing:\n  routes:\n    - match: {levels: [high]}\n      destinations: [nowhere]\n',
      /trailwatch\.yml:4: routing\.routes\.0\.destinations\.0: destination 'nowhere' is not defined/,
    ],
    [
      'a suppression without owner',
      'suppressions:\n  - match: {rules: [x]}\n    reason: r\n    expires: 2030-01-01\n',
      /suppressions\.0\.owner: /,
    ],
    [
      'a webhook over plain http',
      'destinations:\n  w: {type: webhook, url: "http://siem.example.com/in"}\n',
      /destinations\.w\.url: /,
    ],
    [
      'a bad SNS topic',
      'destinations:\n  e: {type: email, topic_arn: "alerts"}\n',
      /destinations\.e\.topic_arn: an SNS topic ARN/,
    ],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects ${name} with file:line`, async () => {
      const run = await runCli(['config', 'validate', '--config', writeConfig(text)]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
    });
  }

  // What only the rules can tell: exit 1, each problem with its place.
  const ruleProblems: [string, string, number, RegExp | undefined][] = [
    [
      'disabling a shipped rule that exists',
      'rules:\n  disabled: [966dd988-779f-5861-a325-96c0558c4731]\n',
      0,
      undefined,
    ],
    [
      'disabling a rule that does not exist',
      'rules:\n  disabled:\n    - 966dd988-779f-5861-a325-96c0558c4731\n    - no-such-rule\n',
      1,
      /trailwatch\.yml:4: rules\.disabled names 'no-such-rule', which is not loaded/,
    ],
    ['a rules folder that does not exist', 'rules:\n  paths: [./no-such-rules]\n', 1, /no-such-rules/],
  ];
  for (const [name, text, code, message] of ruleProblems) {
    it(`checks ${name}`, async () => {
      const run = await runCli(['config', 'validate', '--config', writeConfig(text)]);
      expect(run.stderr).toMatch(message ?? /^(?![\s\S]*error:)/);
      expect(run.code).toBe(code);
    });
  }
});

describe('trailwatch scan --notify', () => {
  it('delivers each alert once, dedups the rest, and reports the tally', async () => {
    const records = fixtureRecords('aws-docs-examples.jsonl').filter((r) => r.userIdentity?.type === 'Root');
    const input = join(dir, 'root.jsonl');
    writeFileSync(input, records.map((r) => JSON.stringify(r)).join('\n'));
    const run = await runCli([
      'scan',
      input,
      '--notify',
      '--config',
      writeConfig(SLACK),
      '--format',
      'ndjson',
    ]);
    expect(run.code).toBe(0);
    expect(receiver.requests.length).toBeGreaterThan(0);
    const tally =
      /notifications: (\d+) sent, \d+ already sent, (\d+) deduplicated, 0 suppressed, \d+ with no destination, 0 failed/.exec(
        run.stderr,
      );
    expect(Number(tally?.[1])).toBe(receiver.requests.length);
    expect(Number(tally?.[2])).toBeGreaterThan(0);
  });

  it('exits 1 when a delivery fails', async () => {
    receiver.script = () => ({ status: 400, body: 'invalid_payload' });
    const records = fixtureRecords('aws-docs-examples.jsonl').filter((r) => r.userIdentity?.type === 'Root');
    const input = join(dir, 'root.jsonl');
    writeFileSync(input, records.map((r) => JSON.stringify(r)).join('\n'));
    const run = await runCli(['scan', input, '--notify', '--config', writeConfig(SLACK)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /error: alert [0-9a-f]{32} to security: Slack webhook .* HTTP 400 "invalid_payload"/,
    );
  });

  it('refuses --notify without destinations', async () => {
    const run = await runCli([
      'scan',
      join(dir, 'x.json'),
      '--notify',
      '--config',
      writeConfig('placeholders: {}\n'),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--notify needs destinations/);
  });
});
