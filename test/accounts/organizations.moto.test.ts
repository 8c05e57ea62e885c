/**
 * Account names from AWS Organizations through moto_server: ListAccounts with its pages, an
 * endpoint that cannot be reached (the lookup fails, the run goes on with the config's names), and
 * the config's names winning over Organizations'.
 */
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountNames, listOrganizationAccounts, organizationsLookup } from '../../lib/accounts';
import type { Moto } from '../helpers/moto';
import { MOTO_CREDENTIALS, MOTO_SKIP_MESSAGE, motoAvailable, startMoto } from '../helpers/moto';

if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

let moto: Moto | undefined;
let client: OrganizationsClient | undefined;
/** Kept so the suite can restore what it changed. */
const savedEnv = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

beforeAll(async () => {
  if (!motoAvailable) return;
  moto = await startMoto();
  client = new OrganizationsClient({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: MOTO_CREDENTIALS,
  });
  // organizationsLookup() uses the default credential chain, as in Lambda: give it moto's.
  process.env.AWS_ACCESS_KEY_ID = MOTO_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = MOTO_CREDENTIALS.secretAccessKey;
}, 60_000);
afterAll(async () => {
  client?.destroy();
  await moto?.stop();
  for (const [key, value] of [
    ['AWS_ACCESS_KEY_ID', savedEnv.id],
    ['AWS_SECRET_ACCESS_KEY', savedEnv.secret],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe.skipIf(!motoAvailable)('account names from AWS Organizations (moto_server)', () => {
  it('an Organizations endpoint that cannot be reached warns once, and the config names still show', async () => {
    // A port nobody listens on: the lookup fails as a network failure does, after the SDK's retries.
    const closed = await startMoto();
    const endpoint = closed.endpoint;
    await closed.stop();
    const warnings: string[] = [];
    const names = new AccountNames({
      names: { '111122223333': 'prod' },
      organizations: organizationsLookup({ endpoint }),
      warn: (message) => warnings.push(message),
    });
    await names.ready();
    await names.ready();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/AWS Organizations could not list accounts \(ECONNREFUSED/);
    expect(names.name('111122223333')).toBe('prod');
    expect(names.name('444455556666')).toBeUndefined();
  });

  it('lists every account over several pages, and the config name wins', async () => {
    const organizations = client as OrganizationsClient;
    await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    // 25 member accounts and the management account: two pages of at most 20.
    for (let index = 0; index < 25; index++)
      await organizations.send(
        new CreateAccountCommand({ AccountName: `member-${index}`, Email: `member-${index}@example.com` }),
      );
    const listed = await listOrganizationAccounts(organizations);
    expect(listed.size).toBe(26);
    const members = [...listed].filter(([, name]) => name.startsWith('member-'));
    expect(members).toHaveLength(25);
    const [someId, someName] = members[3] ?? ['', ''];
    const [renamedId] = members[4] ?? [''];

    const names = new AccountNames({
      names: { [renamedId]: 'prod (from trailwatch.yml)' },
      organizations: organizationsLookup({ endpoint: moto?.endpoint ?? '' }),
      warn: (message) => {
        throw new Error(`unexpected warning: ${message}`);
      },
    });
    expect(names.name(someId)).toBeUndefined();
    await names.ready();
    expect(names.name(someId)).toBe(someName);
    expect(names.name(renamedId)).toBe('prod (from trailwatch.yml)');
  });
});
