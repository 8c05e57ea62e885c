// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub and Athena placeholders, not JavaScript templates
// The parts of the Athena table (deploy/athena.yml) that depend on the stage's parameters, worked
// out when packaging: the template then holds only what the stage deploys, and a mistyped account,
// region, organization id or date fails `serverless package` with the parameter's name instead of
// failing in Athena at the first query.
'use strict';

/** https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html (Id pattern) */
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
/** projection.date.format is yyyy/MM/dd, so the range's first day is written the same way. */
const DAY = /^\d{4}\/(0[1-9]|1[0-2])\/(0[1-9]|[12]\d|3[01])$/;

async function param(resolveVariable, name) {
  return String((await resolveVariable(`param:${name}`)) ?? '').trim();
}

function list(value) {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function refuse(name, value, expected) {
  throw new Error(`param ${name}: '${value}' is not ${expected}`);
}

/** A parameter another part of the stack may define; '' when this serverless.yml has none. */
async function optionalParam(resolveVariable, name) {
  try {
    return await param(resolveVariable, name);
  } catch {
    return '';
  }
}

/**
 * The bucket the trail writes to: athenaLogBucket, else the existing log bucket the queue input
 * reads (logBucketName, a Control Tower log archive), else the stack's own trail bucket.
 */
async function logBucket(resolveVariable) {
  const bucket =
    (await param(resolveVariable, 'athenaLogBucket')) ||
    (await optionalParam(resolveVariable, 'logBucketName'));
  if (bucket === '') return { Ref: 'TrailBucket' };
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    refuse('athenaLogBucket', bucket, 'an S3 bucket name');
  return bucket;
}

/** `AWSLogs/`, or `AWSLogs/<organization id>/` for an organisation trail's layout. */
async function logsPrefix(resolveVariable) {
  const organization = await param(resolveVariable, 'athenaOrganizationId');
  if (organization === '') return 'AWSLogs/';
  if (!ORGANIZATION_ID.test(organization))
    refuse('athenaOrganizationId', organization, 'an organization id (o-…)');
  return `AWSLogs/${organization}/`;
}

/** `s3://<bucket>/<prefix><rest>` with the bucket as a reference when it is the stack's own. */
function s3Url(bucket, prefix, rest) {
  return { 'Fn::Sub': [`s3://\${Bucket}/${prefix}${rest}`, { Bucket: bucket }] };
}

/** The table's properties: partition projection over account, region and day. */
module.exports.tableParameters = async ({ resolveVariable }) => {
  const bucket = await logBucket(resolveVariable);
  const prefix = await logsPrefix(resolveVariable);
  const accountsParam = await param(resolveVariable, 'athenaAccounts');
  let accounts;
  if (accountsParam === 'injected') accounts = { 'projection.account.type': 'injected' };
  else {
    const listed = list(accountsParam);
    for (const account of listed)
      if (!ACCOUNT_ID.test(account)) refuse('athenaAccounts', account, 'a 12-digit account id');
    accounts = {
      'projection.account.type': 'enum',
      'projection.account.values': listed.length === 0 ? { Ref: 'AWS::AccountId' } : listed.join(','),
    };
  }
  const regions = list(await param(resolveVariable, 'athenaRegions'));
  if (regions.length === 0) refuse('athenaRegions', '', 'a comma-separated list of regions');
  for (const region of regions) if (!REGION.test(region)) refuse('athenaRegions', region, 'a region');
  const start = await param(resolveVariable, 'athenaHistoryStart');
  if (!DAY.test(start)) refuse('athenaHistoryStart', start, 'a day written yyyy/MM/dd');
  return {
    classification: 'cloudtrail',
    EXTERNAL: 'TRUE',
    'projection.enabled': 'true',
    ...accounts,
    'projection.region.type': 'enum',
    'projection.region.values': regions.join(','),
    'projection.date.type': 'date',
    // The key's own day folders: AWSLogs/…/CloudTrail/<region>/2026/03/14/.
    'projection.date.format': 'yyyy/MM/dd',
    'projection.date.range': `${start},NOW`,
    'projection.date.interval': '1',
    'projection.date.interval.unit': 'DAYS',
    // ${!x}: Fn::Sub writes ${x} literally, Athena's placeholder for partition x.
    'storage.location.template': s3Url(bucket, prefix, '${!account}/CloudTrail/${!region}/${!date}'),
  };
};

/** The table's LOCATION: the folder that holds every account's logs. */
module.exports.tableLocation = async ({ resolveVariable }) =>
  s3Url(await logBucket(resolveVariable), await logsPrefix(resolveVariable), '');

/** The ARNs the hunt policy reads: the log objects, and the bucket (to list it). */
module.exports.logObjectsArn = async ({ resolveVariable }) => ({
  'Fn::Sub': [
    `arn:\${AWS::Partition}:s3:::\${Bucket}/${await logsPrefix(resolveVariable)}*`,
    { Bucket: await logBucket(resolveVariable) },
  ],
});
module.exports.logBucketArn = async ({ resolveVariable }) => ({
  'Fn::Sub': ['arn:${AWS::Partition}:s3:::${Bucket}', { Bucket: await logBucket(resolveVariable) }],
});
