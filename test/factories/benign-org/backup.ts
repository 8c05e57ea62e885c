/**
 * AWS Backup's nightly plan in prod (https://docs.aws.amazon.com/aws-backup/latest/devguide/whatisbackup.html),
 * run by the service through its default service role.
 */
import type { RoleSession } from './records';
import type { Day, OrgTrail } from './world';
import { ACCOUNTS, HOME_REGION, MINUTE_MS, serviceCaller } from './world';

/**
 * AWS Backup's nightly plan in prod: EBS snapshots and a DynamoDB backup, the recovery points past
 * their 35-day retention deleted, and each new snapshot shared with, and copied into, the Audit
 * account's vault (https://docs.aws.amazon.com/aws-backup/latest/devguide/create-cross-account-backup.html).
 */
export function nightlyBackup(trail: OrgTrail, day: Day): void {
  const { random } = trail;
  const account = ACCOUNTS.prod;
  const region = HOME_REGION;
  const session: RoleSession = trail.session({
    account,
    roleName: 'AWSBackupDefaultServiceRole',
    path: 'service-role/',
    sessionName: 'AWSBackup-AWSBackupDefaultServiceRole',
    created: trail.at(day, 1, 0),
    invokedBy: 'backup.amazonaws.com',
  });
  trail.serviceAssumes('backup.amazonaws.com', session, region);
  const as = serviceCaller(session);
  const volumes = ['vol-0a1b2c3d4e5f60718', 'vol-0f1e2d3c4b5a69788', 'vol-0123456789abcdef0'];
  volumes.forEach((volumeId, i) => {
    const t = session.spec.created + i * 20_000;
    const snapshotId = `snap-0${random.hex(16)}`;
    trail.call(as, t, region, 'ec2.amazonaws.com', 'CreateSnapshot', {
      request: { volumeId, description: 'This snapshot is created by the AWS Backup service.' },
      response: { snapshotId, volumeId, status: 'pending' },
    });
    trail.call(as, t + 40 * MINUTE_MS, region, 'ec2.amazonaws.com', 'ModifySnapshotAttribute', {
      request: {
        snapshotId,
        createVolumePermission: { add: { items: [{ userId: ACCOUNTS.audit }] } },
        attributeType: 'CREATE_VOLUME_PERMISSION',
      },
    });
    const expired = `snap-0${random.hex(16)}`;
    trail.call(as, t + 50 * MINUTE_MS, region, 'ec2.amazonaws.com', 'DeleteSnapshot', {
      request: { snapshotId: expired },
    });
    const copier = trail.session({
      account: ACCOUNTS.audit,
      roleName: 'AWSBackupDefaultServiceRole',
      path: 'service-role/',
      sessionName: 'AWSBackup-AWSBackupDefaultServiceRole',
      created: t + 41 * MINUTE_MS,
      invokedBy: 'backup.amazonaws.com',
    });
    trail.call(serviceCaller(copier), t + 42 * MINUTE_MS, region, 'ec2.amazonaws.com', 'CopySnapshot', {
      request: {
        sourceRegion: region,
        sourceSnapshotId: snapshotId,
        description: 'This snapshot is created by the AWS Backup service.',
        encrypted: true,
      },
      response: { snapshotId: `snap-0${random.hex(16)}` },
    });
  });
  trail.call(as, session.spec.created + 5 * MINUTE_MS, region, 'dynamodb.amazonaws.com', 'CreateBackup', {
    request: { tableName: 'orders', backupName: `awsbackup-job-${random.uuid()}` },
  });
  trail.call(as, session.spec.created + 55 * MINUTE_MS, region, 'dynamodb.amazonaws.com', 'DeleteBackup', {
    request: {
      backupArn: `arn:aws:dynamodb:${region}:${account}:table/orders/backup/0${random.int(1e12, 9e12)}-${random.hex(8)}`,
    },
  });
}
