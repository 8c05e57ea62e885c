import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { resolveRegion } from '../aws';
import type { PacingOptions } from './aws';
import { explainAwsError, PacedCloudTrail } from './aws';
import type { TrailContext } from './manage';

export interface TrailConnection {
  readonly region?: string;
  /** An AWS-compatible endpoint for every client (moto_server); S3 then uses path-style addressing. */
  readonly endpoint?: string;
  readonly pacing?: PacingOptions;
}

/** Clients for one account and region, with the account id read from STS. */
export async function connectTrail(connection: TrailConnection = {}): Promise<TrailContext> {
  const region = resolveRegion(connection.region);
  const endpoint = connection.endpoint === undefined ? {} : { endpoint: connection.endpoint };
  const sts = new STSClient({ region, ...endpoint });
  let identity: { Account?: string | undefined; Arn?: string | undefined };
  try {
    identity = await sts.send(new GetCallerIdentityCommand({}));
  } catch (error) {
    throw explainAwsError(error, 'GetCallerIdentity');
  } finally {
    sts.destroy();
  }
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
