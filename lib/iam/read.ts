/**
 * Reads the account's authorization details: every page of GetAccountAuthorizationDetails for
 * roles and managed policies (customer and AWS managed, every version, so the default one is there).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
 */
import type {
  GetAccountAuthorizationDetailsCommand,
  GetAccountAuthorizationDetailsCommandOutput,
  IAMClient,
  ManagedPolicyDetail,
  RoleDetail,
} from '@aws-sdk/client-iam';
import { awsErrorFacts } from '../aws';
import type { ErrorLocation, TrailwatchErrorOptions } from '../errors';
import { TrailwatchError } from '../errors';
import type { AuthorizationDetails } from './analyse';

/** The API's largest page ("MaxItems … Valid Range: Minimum value of 1. Maximum value of 1000."). */
export const AUTHORIZATION_DETAILS_PAGE_SIZE = 1000;
/**
 * A guard against a service that keeps answering IsTruncated with the same marker: far more pages
 * than any account holds (IAM quotas: 5,000 roles and 5,000 customer managed policies per account by
 * default, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 */
export const MAX_AUTHORIZATION_DETAILS_PAGES = 1000;

/** IAM is global: its endpoint in the aws partition is iam.amazonaws.com, signed for us-east-1. */
export const DEFAULT_IAM_ENDPOINT = 'https://iam.amazonaws.com';
export const IAM_SIGNING_REGION = 'us-east-1';

export interface IamConnection {
  readonly region?: string;
  readonly endpoint?: string;
  readonly profile?: string;
}

export class IamReadError extends TrailwatchError {
  override readonly name = 'IamReadError';
  constructor(message: string, options: TrailwatchErrorOptions = {}) {
    super(message, 'iam-read', options);
  }
}

/** The one call this needs; an IAMClient is one, and tests may pass their own. */
export interface AuthorizationDetailsSender {
  send(command: GetAccountAuthorizationDetailsCommand): Promise<GetAccountAuthorizationDetailsCommandOutput>;
}

export async function createIamClient(connection: IamConnection): Promise<IAMClient> {
  const { IAMClient } = await import('@aws-sdk/client-iam');
  return new IAMClient({
    region: connection.region ?? IAM_SIGNING_REGION,
    ...(connection.endpoint === undefined ? {} : { endpoint: connection.endpoint }),
    ...(connection.profile === undefined ? {} : { profile: connection.profile }),
  });
}

/** Where the calls go, for messages: the configured endpoint, else the SDK's (AWS_ENDPOINT_URL_IAM…). */
export function describeEndpoint(connection: IamConnection): string {
  return (
    connection.endpoint ??
    process.env.AWS_ENDPOINT_URL_IAM ??
    process.env.AWS_ENDPOINT_URL ??
    DEFAULT_IAM_ENDPOINT
  );
}

export async function readAuthorizationDetails(
  client: AuthorizationDetailsSender,
  endpoint: string,
): Promise<AuthorizationDetails> {
  const { GetAccountAuthorizationDetailsCommand } = await import('@aws-sdk/client-iam');
  const roles: RoleDetail[] = [];
  const policies: ManagedPolicyDetail[] = [];
  let marker: string | undefined;
  for (let page = 0; page < MAX_AUTHORIZATION_DETAILS_PAGES; page++) {
    let details: GetAccountAuthorizationDetailsCommandOutput;
    try {
      details = await client.send(
        new GetAccountAuthorizationDetailsCommand({
          Filter: ['Role', 'LocalManagedPolicy', 'AWSManagedPolicy'],
          MaxItems: AUTHORIZATION_DETAILS_PAGE_SIZE,
          ...(marker === undefined ? {} : { Marker: marker }),
        }),
      );
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      const message = error instanceof Error ? error.message : String(error);
      throw new IamReadError(
        `IAM GetAccountAuthorizationDetails at ${endpoint} failed (page ${page + 1}): ${name}: ${message}`,
        {
          location: iamSite(endpoint),
          cause: error,
          retryable: awsErrorFacts(error).retryable,
          locationInMessage: true,
        },
      );
    }
    roles.push(...(details.RoleDetailList ?? []));
    policies.push(...(details.Policies ?? []));
    if (!details.IsTruncated) return { roles, policies };
    if (!details.Marker || details.Marker === marker)
      throw new IamReadError(
        `IAM GetAccountAuthorizationDetails at ${endpoint}: page ${page + 1} is truncated but gives no new Marker`,
        { location: iamSite(endpoint), locationInMessage: true },
      );
    marker = details.Marker;
  }
  throw new IamReadError(
    `IAM GetAccountAuthorizationDetails at ${endpoint}: more than ${MAX_AUTHORIZATION_DETAILS_PAGES} pages`,
    { location: iamSite(endpoint), locationInMessage: true },
  );
}

function iamSite(endpoint: string): ErrorLocation {
  return { service: 'IAM', call: 'GetAccountAuthorizationDetails', resource: endpoint };
}
