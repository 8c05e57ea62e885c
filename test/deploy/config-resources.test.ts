/**
 * scripts/config-resources.cjs: the secrets, parameters and topics a trailwatch.yml names, turned
 * into the IAM statements the functions get. (The packaged template is checked in template.test.ts.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_FILE,
  ConfigResourceError,
  configPolicyFragment,
  configReferences,
  FUNCTION_ROLES,
  referenceStatements,
  wantsOrganizationNames,
} from '../../scripts/config-resources.cjs';

const FILE = 'trailwatch.yml';

describe('configReferences', () => {
  it.each([
    ['no destinations', 'placeholders: {trusted_accounts: []}', { secrets: [], parameters: [], topics: [] }],
    ['an empty file', '', { secrets: [], parameters: [], topics: [] }],
    [
      'a Slack webhook in Secrets Manager',
      'destinations:\n  s: {type: slack, webhook_url: {secretsmanager: team/slack}}',
      { secrets: ['team/slack'], parameters: [], topics: [] },
    ],
    [
      'one key of a JSON secret, by ARN',
      'destinations:\n  p: {type: pagerduty, routing_key: {secretsmanager: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pd", key: routing}}',
      { secrets: ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:pd'], parameters: [], topics: [] },
    ],
    [
      'an SSM parameter',
      'destinations:\n  t: {type: teams, webhook_url: {ssm: /trailwatch/teams}}',
      { secrets: [], parameters: ['/trailwatch/teams'], topics: [] },
    ],
    [
      'references nested in webhook headers and secret, each once',
      [
        'destinations:',
        '  w:',
        '    type: webhook',
        '    url: {ssm: /hook/url}',
        '    secret: {secretsmanager: hook/hmac}',
        '    headers: {Authorization: {secretsmanager: hook/token}, X-Plain: text, X-Again: {ssm: /hook/url}}',
      ].join('\n'),
      { secrets: ['hook/hmac', 'hook/token'], parameters: ['/hook/url'], topics: [] },
    ],
    [
      'an email topic, and env references (nothing to grant)',
      'destinations:\n  m: {type: email, topic_arn: "arn:aws:sns:us-east-1:123456789012:mail"}\n  e: {type: slack, webhook_url: {env: SLACK_URL}}',
      { secrets: [], parameters: [], topics: ['arn:aws:sns:us-east-1:123456789012:mail'] },
    ],
    [
      'a topic_arn on a destination that is not email (not a topic it publishes to)',
      'destinations:\n  w: {type: webhook, url: "https://example.com/h", topic_arn: "arn:aws:sns:us-east-1:123456789012:x"}',
      { secrets: [], parameters: [], topics: [] },
    ],
  ])('%s', (_name, text, expected) => {
    expect(configReferences(text, FILE)).toEqual(expected);
  });

  it.each([
    [
      'a secret name with a character Secrets Manager refuses',
      'destinations:\n  s:\n    type: slack\n    webhook_url: {secretsmanager: "team slack"}',
      `${FILE}:4: secretsmanager: "team slack" is not a valid name or ARN`,
    ],
    [
      'a parameter that is not a string',
      'destinations:\n  t:\n    type: teams\n    webhook_url:\n      ssm: [a, b]',
      `${FILE}:5: ssm: null is not a valid name or ARN`,
    ],
    [
      'a Fn::Sub injection in a parameter name',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
      'destinations:\n  t: {type: teams, webhook_url: {ssm: "/x/${AWS::AccountId}"}}',
      `${FILE}:2: ssm: "/x/\${AWS::AccountId}" is not a valid name or ARN`,
    ],
    [
      'an email topic that is a name, not an ARN',
      'destinations:\n  m:\n    type: email\n    topic_arn: alerts',
      `${FILE}:4: topic_arn: "alerts" is not a valid name or ARN`,
    ],
    ['YAML that does not parse', 'destinations:\n  s: {type: slack\n', `${FILE}:`],
  ])('refuses %s with file:line', (_name, text, message) => {
    let caught: unknown;
    try {
      configReferences(text, FILE);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigResourceError);
    expect(caught instanceof Error ? caught.message : '').toContain(message);
  });
});

describe('referenceStatements', () => {
  it('matches a secret by name or partial ARN with the six random characters Secrets Manager appends', () => {
    const [statement] = referenceStatements({
      secrets: ['team/slack', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pd'],
      parameters: [],
      topics: [],
    });
    expect(statement?.Resource).toEqual([
      {
        'Fn::Sub':
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
          'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:team/slack-??????',
      },
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pd',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pd-??????',
    ]);
  });

  it.each([
    ['/trailwatch/teams', 'parameter/trailwatch/teams'],
    ['teams', 'parameter/teams'],
  ])('names parameter %s as %s', (name, suffix) => {
    const [statement] = referenceStatements({ secrets: [], parameters: [name], topics: [] });
    expect(statement).toMatchObject({ Action: 'ssm:GetParameter' });
    expect(statement?.Resource).toEqual([
      { 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:${suffix}` },
    ]);
  });

  it('writes no statement for a kind the config does not use, and none at all for nothing', () => {
    expect(referenceStatements({ secrets: [], parameters: [], topics: [] })).toEqual([]);
    expect(
      referenceStatements({
        secrets: [],
        parameters: [],
        topics: ['arn:aws:sns:us-east-1:123456789012:m'],
      }).map((s) => s.Action),
    ).toEqual(['sns:Publish']);
  });
});

describe('configPolicyFragment', () => {
  const serviceWith = (text?: string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'trailwatch-config-'));
    if (text !== undefined) writeFileSync(join(dir, CONFIG_FILE), text);
    return dir;
  };

  it('adds no resource without a trailwatch.yml, or with one that references nothing', () => {
    expect(configPolicyFragment(serviceWith())).toEqual({ Resources: {} });
    expect(
      configPolicyFragment(serviceWith('destinations:\n  e: {type: slack, webhook_url: {env: X}}')),
    ).toEqual({
      Resources: {},
    });
  });

  it('attaches one managed policy to every function role otherwise', () => {
    const fragment = configPolicyFragment(
      serviceWith('destinations:\n  s: {type: slack, webhook_url: {secretsmanager: team/slack}}'),
    );
    expect(Object.keys(fragment.Resources)).toEqual(['ConfiguredDestinationsPolicy']);
    // s3Ingest, snsIngest, logsIngest, eventsIngest, queueIngest and trailBootstrap.
    expect(fragment.Resources.ConfiguredDestinationsPolicy?.Properties.Roles).toHaveLength(6);
  });
});

describe('wide roles read from IAM', () => {
  const serviceWith = (text: string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'trailwatch-service-'));
    writeFileSync(join(dir, CONFIG_FILE), text);
    return dir;
  };

  it.each([
    ['auto', 'placeholders:\n  wide_permission_roles: auto\n', true],
    ['a list', "placeholders:\n  wide_permission_roles: ['arn:aws:iam::*:role/Admin']\n", false],
    ['absent', 'placeholders: {}\n', false],
  ])('wide_permission_roles %s: the bootstrap role may read IAM: %s', (_name, text, granted) => {
    const resources: Record<string, unknown> = configPolicyFragment(serviceWith(text)).Resources;
    const policy = resources.WideRolesFromIamPolicy;
    expect(policy !== undefined).toBe(granted);
    if (granted) {
      expect(policy).toMatchObject({
        Properties: {
          Roles: [{ Ref: 'TrailBootstrapRole' }],
          PolicyDocument: {
            Statement: [
              expect.objectContaining({ Action: 'iam:GetAccountAuthorizationDetails', Resource: '*' }),
            ],
          },
        },
      });
    }
  });
});

describe('account names from AWS Organizations', () => {
  const serviceWith = (text: string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'trailwatch-service-'));
    writeFileSync(join(dir, CONFIG_FILE), text);
    return dir;
  };

  it.each([
    ['organizations: true', "accounts:\n  '111122223333': prod\n  organizations: true\n", true],
    ['organizations: false', 'accounts: {organizations: false}\n', false],
    ['names only', "accounts: {'111122223333': prod}\n", false],
    ['a string "true" (the config loader refuses it)', "accounts: {organizations: 'true'}\n", false],
    ['no accounts:', 'placeholders: {}\n', false],
  ])('%s: every function role may list the accounts: %s', (_name, text, granted) => {
    expect(wantsOrganizationNames(text)).toBe(granted);
    const resources: Record<string, unknown> = configPolicyFragment(serviceWith(text)).Resources;
    const policy = resources.AccountNamesFromOrganizationsPolicy;
    expect(policy !== undefined).toBe(granted);
    if (granted) {
      expect(policy).toMatchObject({
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: {
          Roles: FUNCTION_ROLES.map((role) => ({ Ref: role })),
          PolicyDocument: {
            // ListAccounts is the only Organizations call trailwatch makes, and it takes no resource.
            Statement: [
              {
                Sid: 'ListOrganizationAccounts',
                Effect: 'Allow',
                Action: 'organizations:ListAccounts',
                Resource: '*',
              },
            ],
          },
        },
      });
    }
  });

  it('comes alongside the destinations policy, not instead of it', () => {
    const text =
      'accounts: {organizations: true}\ndestinations:\n  s: {type: slack, webhook_url: {secretsmanager: team/slack}}\n';
    expect(Object.keys(configPolicyFragment(serviceWith(text)).Resources).sort()).toEqual([
      'AccountNamesFromOrganizationsPolicy',
      'ConfiguredDestinationsPolicy',
    ]);
  });
});
