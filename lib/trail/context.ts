import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { resolveRegion } from '../aws';
import { callAws } from './errors';
import type { PacingOptions } from './pacing';
import { PacedCloudTrail } from './pacing';

/** The clients and identity every trail operation works in: one account, one region. */
export interface TrailContext {
  readonly cloudtrail: PacedCloudTrail;
  readonly s3: S3Client;
  readonly sns: SNSClient;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
}

export interface TrailConnection {
  readonly region?: string;
  /** An AWS-compatible endpoint for every client (moto_server); S3 then uses path-style addressing. */
  readonly endpoint?: string;
  /** How CloudTrail calls wait their turn: tests pass an instant sleep or a fake clock. */
  readonly pacing?: PacingOptions;
}

/** Clients for one account and region, with the account id read from STS. */
export async function connectTrail(connection: TrailConnection = {}): Promise<TrailContext> {
  const region = resolveRegion(connection.region);
  const endpoint = connection.endpoint === undefined ? {} : { endpoint: connection.endpoint };
  const sts = new STSClient({ region, ...endpoint });
  const identity = await callAws({ call: 'GetCallerIdentity', service: 'STS' }, () =>
    sts.send(new GetCallerIdentityCommand({})),
  ).finally(() => sts.destroy());
  return {
    cloudtrail: new PacedCloudTrail(new CloudTrailClient({ region, ...endpoint }), connection.pacing),
    s3: new S3Client({
      region,
      followRegionRedirects: true,
      ...endpoint,
      ...(connection.endpoint ? { forcePathStyle: true } : {}),
    }),
    sns: new SNSClient({ region, ...endpoint }),
    region,
    accountId: identity.Account ?? '000000000000',
    partition: identity.Arn?.split(':')[1] ?? 'aws',
  };
}
