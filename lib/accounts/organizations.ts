import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { awsErrorFacts, resolveRegion } from '../aws';

/** Names by account id, as AWS Organizations lists them. */
export type AccountDirectory = ReadonlyMap<string, string>;

/** Fetches every account's name; rejects when Organizations cannot be read. */
export type OrganizationsLookup = () => Promise<AccountDirectory>;

/**
 * ListAccounts pages: "The maximum number of items to return… up to 20", continued with NextToken.
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html
 */
const LIST_ACCOUNTS_PAGE_MAX = 20;

/** An organisation of 10,000 accounts needs 500 pages; a NextToken that never ends stops here. */
const LIST_ACCOUNTS_PAGES_MAX = 1_000;

/**
 * Every account of the organisation, by id, from ListAccounts. It answers only in the management
 * account or for a delegated administrator, with organizations:ListAccounts allowed.
 */
export async function listOrganizationAccounts(client: OrganizationsClient): Promise<Map<string, string>> {
  const { ListAccountsCommand } = await import('@aws-sdk/client-organizations');
  const names = new Map<string, string>();
  let token: string | undefined;
  for (let page = 0; page < LIST_ACCOUNTS_PAGES_MAX; page++) {
    const answer = await client.send(
      new ListAccountsCommand({ MaxResults: LIST_ACCOUNTS_PAGE_MAX, ...(token ? { NextToken: token } : {}) }),
    );
    for (const account of answer.Accounts ?? [])
      if (account.Id !== undefined && account.Name !== undefined) names.set(account.Id, account.Name);
    token = answer.NextToken;
    if (!token) break;
  }
  return names;
}

/**
 * A lookup with its own client (the default credential chain, `AWS_ENDPOINT_URL` honoured),
 * made on first use so that a run without `organizations: true` never loads the SDK.
 */
export function organizationsLookup(
  settings: { region?: string; endpoint?: string } = {},
): OrganizationsLookup {
  let client: Promise<OrganizationsClient> | undefined;
  return async () => {
    client ??= import('@aws-sdk/client-organizations').then(
      ({ OrganizationsClient }) =>
        new OrganizationsClient({
          // Organizations is a global service served from us-east-1; the region only picks the endpoint.
          region: resolveRegion(settings.region),
          maxAttempts: 2,
          ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
        }),
    );
    return listOrganizationAccounts(await client);
  };
}

/** Why Organizations could not name accounts, in one line, for a warning. */
export function describeLookupFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const facts = awsErrorFacts(error);
  const name = facts.code;
  if (name === 'AccessDeniedException')
    return 'access denied: ListAccounts answers only in the management account or a delegated administrator, with organizations:ListAccounts allowed';
  if (name === 'AWSOrganizationsNotInUseException') return 'this account is not in an organization';
  return `${name}: ${facts.message}${facts.retryable ? ' (may pass)' : ''}`;
}
