/** Account names: the config wins, Organizations names are cached and refreshed, failures keep what was known. */
import { describe, expect, it } from 'vitest';
import type { AccountDirectory } from '../../lib/accounts';
import {
  AccountNames,
  accountLabel,
  accountNamesFor,
  NO_ACCOUNT_NAMES,
  ORGANIZATIONS_CACHE_MS,
  ORGANIZATIONS_RETRY_AFTER_FAILURE_MS,
} from '../../lib/accounts';
import { parseConfig } from '../../lib/config';

function scriptedLookup(answers: (AccountDirectory | Error)[]) {
  let calls = 0;
  const lookup = async (): Promise<AccountDirectory> => {
    const answer = answers[Math.min(calls++, answers.length - 1)];
    if (answer === undefined || answer instanceof Error) throw answer ?? new Error('no answer');
    return answer;
  };
  return { lookup, calls: () => calls };
}

describe('AccountNames', () => {
  it('shows config names without any lookup', async () => {
    const names = new AccountNames({ names: { '111122223333': 'prod' } });
    await names.ready();
    expect(names.name('111122223333')).toBe('prod');
    expect(names.name('999999999999')).toBeUndefined();
    expect(names.name(undefined)).toBeUndefined();
  });

  it('caches Organizations names for an hour, shares one lookup among concurrent callers, then refreshes', async () => {
    let now = 0;
    const { lookup, calls } = scriptedLookup([
      new Map([['444455556666', 'staging']]),
      new Map([['444455556666', 'staging-renamed']]),
    ]);
    const names = new AccountNames({ organizations: lookup, now: () => now });
    await Promise.all([names.ready(), names.ready(), names.ready()]);
    expect(calls()).toBe(1);
    expect(names.name('444455556666')).toBe('staging');
    now = ORGANIZATIONS_CACHE_MS - 1;
    await names.ready();
    expect(calls()).toBe(1);
    now = ORGANIZATIONS_CACHE_MS;
    await names.ready();
    expect(calls()).toBe(2);
    expect(names.name('444455556666')).toBe('staging-renamed');
  });

  it('a failed refresh keeps the last good names, warns, and waits before asking again', async () => {
    let now = 0;
    const warnings: string[] = [];
    const denied = Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' });
    const { lookup, calls } = scriptedLookup([new Map([['444455556666', 'staging']]), denied, denied]);
    const names = new AccountNames({ organizations: lookup, now: () => now, warn: (m) => warnings.push(m) });
    await names.ready();
    now = ORGANIZATIONS_CACHE_MS;
    await expect(names.ready()).resolves.toBeUndefined();
    expect(names.name('444455556666')).toBe('staging');
    expect(warnings).toEqual([expect.stringContaining('management account or a delegated administrator')]);
    now += ORGANIZATIONS_RETRY_AFTER_FAILURE_MS - 1;
    await names.ready();
    expect(calls()).toBe(2);
    now += 1;
    await names.ready();
    expect(calls()).toBe(3);
  });

  it('the config name wins over the Organizations name', async () => {
    const { lookup } = scriptedLookup([new Map([['111122223333', 'Production Account']])]);
    const names = new AccountNames({ names: { '111122223333': 'prod' }, organizations: lookup });
    await names.ready();
    expect(names.name('111122223333')).toBe('prod');
  });

  it('labels an id with its name, or alone', () => {
    expect(accountLabel('111122223333', 'prod')).toBe('111122223333 (prod)');
    expect(accountLabel('111122223333', undefined)).toBe('111122223333');
  });

  it('a config without accounts names nothing; one config object shares its names', () => {
    const none = parseConfig('dedup: {window: 1h}\n', 'trailwatch.yml');
    expect(accountNamesFor(none.accounts)).toBe(NO_ACCOUNT_NAMES);
    const some = parseConfig("accounts: {'111122223333': prod}\n", 'trailwatch.yml');
    expect(accountNamesFor(some.accounts)).toBe(accountNamesFor(some.accounts));
    expect(accountNamesFor(some.accounts).name('111122223333')).toBe('prod');
  });
});

describe('accounts: in trailwatch.yml', () => {
  const CASES: {
    name: string;
    yaml: string;
    names?: Record<string, string>;
    organizations?: boolean;
    problems?: RegExp[];
  }[] = [
    {
      name: 'names by id, quoted or not, and organizations',
      yaml: "accounts:\n  111122223333: prod\n  '012345678901': legacy\n  organizations: true\n",
      names: { '111122223333': 'prod', '012345678901': 'legacy' },
      organizations: true,
    },
    {
      name: 'an unquoted id with a leading zero, as YAML reads it, says how to quote it',
      yaml: 'accounts:\n  111122223333: prod\n  012345678901: legacy\n',
      problems: [
        /trailwatch\.yml:3: accounts\.12345678901: '12345678901' is not a 12-digit account id; an id with leading zeros must be quoted, e\.g\. '012345678901'/,
      ],
    },
    {
      name: 'every problem at once, each with its line',
      yaml: 'accounts:\n  prod: 111122223333\n  111122223333: ""\n  organizations: yes please\n',
      problems: [
        /trailwatch\.yml:2: accounts\.prod: 'prod' is not a 12-digit account id/,
        /trailwatch\.yml:3: accounts\.111122223333: an account name is non-empty text/,
        /trailwatch\.yml:4: accounts\.organizations: organizations is true or false/,
      ],
    },
    {
      name: 'a list is not a map',
      yaml: 'accounts: [111122223333]\n',
      problems: [/accounts: expected a map/],
    },
  ];
  for (const { name, yaml, names, organizations, problems } of CASES) {
    it(name, () => {
      if (problems) {
        let message = '';
        try {
          parseConfig(yaml, 'trailwatch.yml');
        } catch (error) {
          message = error instanceof Error ? error.message : String(error);
        }
        for (const problem of problems) expect(message).toMatch(problem);
        expect(message.split('\n')).toHaveLength(problems.length);
        return;
      }
      const config = parseConfig(yaml, 'trailwatch.yml');
      expect({ ...config.accounts?.names }).toEqual(names);
      expect(config.accounts?.organizations).toBe(organizations);
    });
  }
});
