/**
 * The Slack secret as the README documents it: the deploy section's `aws secretsmanager
 * create-secret` command, run with the AWS CLI v1 and v2 against moto_server, stores the URL as
 * given; trailwatch then reads it back through the config section's reference (`notify test`) and
 * through the deployment's `slackSecretName` default. A configuration error (a missing secret, the
 * wrong shape, a bad URL) fails without "(retryable)".
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sampleAlert } from '../../lib/cli/notify';
import { DEFAULT_CONFIG } from '../../lib/config';
import { createDestinations, defaultNotifierContext } from '../../lib/pipeline';
import { withDeploymentDefaults } from '../../lib/runtime';
import { runCli } from '../helpers/cli';
import type { Moto } from '../helpers/moto';
import { MOTO_CREDENTIALS, MOTO_SKIP_MESSAGE, motoAvailable, startMoto } from '../helpers/moto';
import type { Receiver } from '../helpers/receiver';
import { startReceiver } from '../helpers/receiver';

const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
const REGION = 'us-east-1';
/** The path of a Slack incoming webhook URL; the receiver stands in for hooks.slack.com. */
const WEBHOOK_PATH = '/services/T0000000000/B0000000000/XXXXXXXXXXXXXXXXXXXXXXXX';
const PLACEHOLDER_URL = /'https:\/\/hooks\.slack\.com\/services\/[^']*'/g;

/** The deploy section's command that stores the webhook URL, with the lines it continues from. */
function documentedCreateSecret(): string {
  const lines = README.split('\n');
  const at = lines.findIndex((line) => /\baws secretsmanager create-secret\b/.test(line));
  if (at < 0) throw new Error('README.md shows no `aws secretsmanager create-secret` command');
  let first = at;
  while (first > 0 && /[|\\]\s*$/.test(lines[first - 1] ?? '')) first--;
  return lines.slice(first, at + 1).join('\n');
}

/** The config section's Slack destination (`security-slack` in the destinations example). */
function documentedSlackDestination(): Record<string, unknown> {
  for (const [, block] of README.matchAll(/```yaml\n([\s\S]*?)```/g)) {
    const parsed: unknown = parse(block ?? '');
    if (typeof parsed !== 'object' || parsed === null || !('destinations' in parsed)) continue;
    const destinations = parsed.destinations;
    if (typeof destinations === 'object' && destinations !== null && 'security-slack' in destinations) {
      const slack = destinations['security-slack'];
      if (typeof slack === 'object' && slack !== null) return { ...slack };
    }
  }
  throw new Error('README.md has no yaml example with a security-slack destination');
}

const COMMAND = documentedCreateSecret();
const SECRET_NAME = /--name\s+(\S+)/.exec(COMMAND)?.[1] ?? '';

/** The AWS CLIs to try: the one on PATH, and Debian's v2 package, by their major version. */
function awsCli(major: 1 | 2): string | undefined {
  for (const binary of ['aws', '/usr/bin/aws']) {
    if (binary.startsWith('/') && !existsSync(binary)) continue;
    const run = spawnSync(binary, ['--version'], { encoding: 'utf8' });
    if (run.status === 0 && `${run.stdout}${run.stderr}`.startsWith(`aws-cli/${major}.`)) return binary;
  }
  return undefined;
}
const CLIS = { v1: awsCli(1), v2: awsCli(2) } as const;
for (const [name, binary] of Object.entries(CLIS))
  if (!binary)
    console.warn(`AWS CLI ${name} not installed: the README's create-secret command is not tried with it`);
if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

describe('the README documents one Slack secret, the same in both sections', () => {
  it('the deploy command stores a plain URL under the name the config section and slackSecretName read', () => {
    expect(COMMAND.match(PLACEHOLDER_URL), COMMAND).toHaveLength(1);
    expect(SECRET_NAME).not.toBe('');
    const reference = { secretsmanager: SECRET_NAME };
    expect(documentedSlackDestination()).toEqual({ type: 'slack', webhook_url: reference });
    const deployed = withDeploymentDefaults(DEFAULT_CONFIG, { TRAILWATCH_SLACK_SECRET: SECRET_NAME });
    expect(deployed.destinations.slack).toEqual({ type: 'slack', webhook_url: reference });
  });
});

describe.skipIf(!motoAvailable)('the Slack secret on moto_server', () => {
  let moto: Moto;
  let receiver: Receiver;
  let secrets: SecretsManagerClient;
  let dir: string;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    moto = await startMoto();
    receiver = await startReceiver();
    dir = mkdtempSync(join(tmpdir(), 'trailwatch-slack-secret-'));
    secrets = new SecretsManagerClient({
      region: REGION,
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    // trailwatch's own clients find moto through the SDK's service endpoint variable.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    });
    delete process.env.AWS_PROFILE;
    const wrongShapes: [string, string][] = [
      [
        'trailwatch/json-without-key',
        JSON.stringify({ url: `${new URL(receiver.url).origin}${WEBHOOK_PATH}` }),
      ],
      ['trailwatch/not-a-url', `hooks.slack.com${WEBHOOK_PATH}`],
      ['trailwatch/plain-http', `http://hooks.slack.com${WEBHOOK_PATH}`],
    ];
    for (const [Name, SecretString] of wrongShapes)
      await secrets.send(new CreateSecretCommand({ Name, SecretString }));
  }, 60_000);

  afterAll(async () => {
    for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
    Object.assign(process.env, savedEnv);
    secrets?.destroy();
    await receiver?.close();
    await moto?.stop();
  });

  beforeEach(() => {
    receiver.requests.length = 0;
  });

  async function deleteDocumentedSecret(): Promise<void> {
    await secrets
      .send(new DeleteSecretCommand({ SecretId: SECRET_NAME, ForceDeleteWithoutRecovery: true }))
      .catch(() => undefined);
  }

  function notifyTest(webhookUrl: unknown): ReturnType<typeof runCli> {
    const config = join(dir, 'trailwatch.yml');
    writeFileSync(
      config,
      JSON.stringify({ destinations: { 'security-slack': { type: 'slack', webhook_url: webhookUrl } } }),
    );
    return runCli(['notify', 'test', 'security-slack', '--config', config]);
  }

  describe.each([
    ['v1', CLIS.v1],
    ['v2', CLIS.v2],
  ])('created with AWS CLI %s as documented', (_version, binary) => {
    it.skipIf(binary === undefined)(
      'stores the URL as typed; notify test and the deployment default send through it',
      async () => {
        await deleteDocumentedSecret();
        const url = `${new URL(receiver.url).origin}${WEBHOOK_PATH}`;
        const command = `${COMMAND.replace(PLACEHOLDER_URL, `'${url}'`).replace(/\baws secretsmanager\b/, `${binary} secretsmanager`)} --endpoint-url ${moto.endpoint} --region ${REGION}`;
        const run = spawnSync('bash', ['-o', 'pipefail', '-c', command], {
          encoding: 'utf8',
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '',
            AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
            // No user configuration (cli_follow_urlparam, cli_binary_format) may change the outcome.
            AWS_CONFIG_FILE: join(dir, 'no-config'),
            AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
          },
        });
        expect(run.status, `${command}\n${run.stderr}`).toBe(0);
        const stored = await secrets.send(new GetSecretValueCommand({ SecretId: SECRET_NAME }));
        expect(stored.SecretString).toBe(url);

        const viaConfig = await notifyTest(documentedSlackDestination().webhook_url);
        expect(viaConfig.stderr).toBe('');
        expect(viaConfig.code).toBe(0);
        expect(viaConfig.stdout).toMatch(/sent a test alert to security-slack \(slack\)/);

        const deployed = withDeploymentDefaults(DEFAULT_CONFIG, { TRAILWATCH_SLACK_SECRET: SECRET_NAME });
        const slack = createDestinations(deployed, defaultNotifierContext()).get('slack');
        expect(await slack?.send(sampleAlert())).toMatchObject({ ok: true });

        expect(receiver.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
          `POST ${WEBHOOK_PATH}`,
          `POST ${WEBHOOK_PATH}`,
        ]);
      },
    );
  });

  const configurationErrors: [string, () => unknown, RegExp][] = [
    ['a secret that does not exist', () => ({ secretsmanager: 'trailwatch/absent' }), /trailwatch\/absent/],
    [
      'a key read from a plain-text secret',
      () => ({ secretsmanager: 'trailwatch/plain-http', key: 'webhook_url' }),
      /trailwatch\/plain-http/,
    ],
    [
      'a JSON secret without the key',
      () => ({ secretsmanager: 'trailwatch/json-without-key', key: 'webhook_url' }),
      /webhook_url/,
    ],
    ['a value that is not a URL', () => ({ secretsmanager: 'trailwatch/not-a-url' }), /is not a URL/],
    [
      'plain http off this machine',
      () => ({ secretsmanager: 'trailwatch/plain-http' }),
      /must be an https:\/\/ URL/,
    ],
    [
      'an environment variable that is not set',
      () => ({ env: 'TRAILWATCH_TEST_UNSET_SLACK_URL' }),
      /TRAILWATCH_TEST_UNSET_SLACK_URL/,
    ],
  ];
  it.each(configurationErrors)(
    '%s fails the test alert without "(retryable)"',
    async (_name, reference, names) => {
      const run = await notifyTest(reference());
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^trailwatch: error: security-slack \(slack\): /);
      expect(run.stderr).toMatch(names);
      expect(run.stderr).not.toMatch(/retryable/);
      expect(run.stderr).not.toContain(WEBHOOK_PATH);
      expect(receiver.requests).toHaveLength(0);
    },
  );
});
