import type {
  GetAccountAuthorizationDetailsCommand,
  GetAccountAuthorizationDetailsCommandOutput,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import {
  classifyAwsPrincipal,
  IamReadError,
  parsePolicyText,
  readAuthorizationDetails,
  trustEntries,
} from '../../lib/iam';
import type { ProbeArn } from '../../lib/iam/wildcard';
import { ANY_PART, globMatch, resourceMatches } from '../../lib/iam/wildcard';

describe('globMatch', () => {
  it.each([
    ['*', '', true],
    ['iam:*', 'iam:PutRolePolicy', true],
    ['iam:Put*Policy', 'iam:PutRolePolicy', true],
    ['iam:Put*Policy', 'iam:PutRolePolicyX', false],
    ['iam:?ut*', 'iam:PutUserPolicy', true],
    ['iam:?', 'iam:', false],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'aXbYbZ', false],
    ['s3:Get*', 'iam:GetRole', false],
  ])('%s vs %s → %s', (pattern, text, expected) => {
    expect(globMatch(pattern, text)).toBe(expected);
  });

  it('is linear enough for a pathological pattern', () => {
    const start = Date.now();
    expect(globMatch(`${'*a'.repeat(50)}b`, 'a'.repeat(5000))).toBe(false);
    expect(Date.now() - start).toBeLessThan(2000);
  });
});

describe('resourceMatches', () => {
  const role: ProbeArn = ['arn', 'aws', 'iam', '', '111122223333', 'role/probe'];
  const instance: ProbeArn = ['arn', 'aws', 'ec2', ANY_PART, '111122223333', 'instance/probe'];
  it.each([
    ['*', role, true],
    ['arn:aws:iam::*:role/*', role, true],
    ['arn:aws:iam::111122223333:role/*', role, true],
    ['arn:aws:iam::111122223333:role/app-*', role, false],
    ['arn:aws:iam::111122223333:user/*', role, false],
    ['arn:aws:*', role, true],
    ['arn:aws:ec2:eu-west-1:111122223333:instance/*', instance, true],
    ['arn:aws:ec2:*:*:*', instance, true],
    ['arn:aws:ec2:*:999999999999:*', instance, false],
    // Case-sensitive, unlike actions.
    ['arn:aws:iam::111122223333:ROLE/*', role, false],
  ] as const)('%s', (pattern, probe, expected) => {
    expect(resourceMatches(pattern, probe)).toBe(expected);
  });
});

describe('parsePolicyText', () => {
  const document = {
    Version: '2012-10-17',
    Statement: { Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::a%b/*' },
  };
  it('reads plain and URL-encoded JSON alike', () => {
    const plain = parsePolicyText(JSON.stringify(document), 'p');
    const encoded = parsePolicyText(encodeURIComponent(JSON.stringify(document)), 'p');
    expect(encoded).toEqual(plain);
    expect(plain.statements[0]?.resources).toEqual(['arn:aws:s3:::a%b/*']);
  });
  it.each([
    ['not json', 'not a JSON policy document'],
    ['[]', 'a policy document is a JSON object'],
    ['{"Statement":[{"Effect":"Maybe","Action":"*"}]}', 'Statement[0]: Effect must be Allow or Deny'],
    [
      '{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"iam:*"}]}',
      'exactly one of Action and NotAction',
    ],
    ['{"Statement":[{"Effect":"Allow","Action":[1]}]}', 'Statement[0] Action: strings expected'],
  ])('%s is refused with its location', (text, message) => {
    expect(() => parsePolicyText(text, 'arn:aws:iam::1:policy/x')).toThrow(message);
    expect(() => parsePolicyText(text, 'arn:aws:iam::1:policy/x')).toThrow('arn:aws:iam::1:policy/x');
  });
});

describe('trust policy principals', () => {
  it.each([
    ['*', 'anyone'],
    ['111122223333', 'account'],
    ['arn:aws:iam::111122223333:root', 'account'],
    ['arn:aws:iam::111122223333:role/ops/Deployer', 'role'],
    ['arn:aws:iam::111122223333:user/alice', 'user'],
    ['arn:aws:sts::111122223333:assumed-role/Admin/alice', 'session'],
    ['AROAEXAMPLEROLE000001', 'deleted-principal'],
  ] as const)('%s is %s', (id, kind) => {
    expect(classifyAwsPrincipal(id)).toBe(kind);
  });

  it('lists each principal with its actions and conditions; Deny and non-assume statements are left out', () => {
    const entries = trustEntries(
      parsePolicyText(
        JSON.stringify({
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: ['arn:aws:iam::111122223333:root', 'arn:aws:iam::444455556666:role/ci'] },
              Action: 'sts:AssumeRole',
              Condition: { Bool: { 'aws:MultiFactorAuthPresent': true } },
            },
            {
              Effect: 'Allow',
              Principal: { Service: 'ec2.amazonaws.com' },
              Action: ['sts:AssumeRole', 'sts:TagSession'],
            },
            {
              Effect: 'Allow',
              Principal: { Federated: 'arn:aws:iam::111122223333:saml-provider/Okta' },
              Action: 'sts:AssumeRoleWithSAML',
              Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
            },
            { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' },
            { Effect: 'Allow', Principal: '*', Action: 'sts:GetCallerIdentity' },
          ],
        }),
        'trust',
      ),
    );
    expect(entries).toEqual([
      {
        kind: 'account',
        principal: 'arn:aws:iam::111122223333:root',
        actions: ['sts:AssumeRole'],
        conditions: 'Bool aws:MultiFactorAuthPresent=true',
        statement: 0,
      },
      {
        kind: 'role',
        principal: 'arn:aws:iam::444455556666:role/ci',
        actions: ['sts:AssumeRole'],
        conditions: 'Bool aws:MultiFactorAuthPresent=true',
        statement: 0,
      },
      {
        kind: 'service',
        principal: 'ec2.amazonaws.com',
        actions: ['sts:AssumeRole'],
        conditions: '',
        statement: 1,
      },
      {
        kind: 'federated',
        principal: 'arn:aws:iam::111122223333:saml-provider/Okta',
        actions: ['sts:AssumeRoleWithSAML'],
        conditions: 'StringEquals SAML:aud=https://signin.aws.amazon.com/saml',
        statement: 2,
      },
    ]);
  });
});

/** A sender that answers from a script of pages and records each Marker it was sent. */
function scriptedSender(pages: readonly GetAccountAuthorizationDetailsCommandOutput[]) {
  const markers: (string | undefined)[] = [];
  let call = 0;
  return {
    markers,
    send: async (command: GetAccountAuthorizationDetailsCommand) => {
      markers.push(command.input.Marker);
      const page = pages[call++];
      if (!page) throw new Error('no more pages scripted');
      return page;
    },
  };
}
const META = { $metadata: {} };

describe('readAuthorizationDetails', () => {
  it('follows Marker through every page', async () => {
    const sender = scriptedSender([
      {
        ...META,
        RoleDetailList: [{ RoleName: 'a' }],
        Policies: [{ Arn: 'p1' }],
        IsTruncated: true,
        Marker: 'm1',
      },
      { ...META, RoleDetailList: [{ RoleName: 'b' }], IsTruncated: true, Marker: 'm2' },
      { ...META, RoleDetailList: [{ RoleName: 'c' }], Policies: [{ Arn: 'p2' }], IsTruncated: false },
    ]);
    const details = await readAuthorizationDetails(sender, 'http://iam.test');
    expect(details.roles.map((role) => role.RoleName)).toEqual(['a', 'b', 'c']);
    expect(details.policies.map((policy) => policy.Arn)).toEqual(['p1', 'p2']);
    expect(sender.markers).toEqual([undefined, 'm1', 'm2']);
  });

  it('refuses a truncated page that repeats its marker', async () => {
    const sender = scriptedSender([
      { ...META, IsTruncated: true, Marker: 'm1' },
      { ...META, IsTruncated: true, Marker: 'm1' },
    ]);
    await expect(readAuthorizationDetails(sender, 'http://iam.test')).rejects.toThrow(
      'http://iam.test: page 2 is truncated but gives no new Marker',
    );
  });

  it('names the endpoint and the page when a call fails', async () => {
    const sender = scriptedSender([{ ...META, IsTruncated: true, Marker: 'm1' }]);
    const failure = readAuthorizationDetails(sender, 'http://iam.test');
    await expect(failure).rejects.toBeInstanceOf(IamReadError);
    await expect(readAuthorizationDetails(scriptedSender([]), 'http://iam.test')).rejects.toThrow(
      'IAM GetAccountAuthorizationDetails at http://iam.test failed (page 1): Error: no more pages scripted',
    );
  });
});
