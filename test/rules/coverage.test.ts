/**
 * The behaviours issue 12 asks the pack to cover, from the public catalogues of AWS attack
 * techniques (MITRE ATT&CK cloud matrix, Stratus Red Team's AWS techniques), each as the CloudTrail
 * calls that carry it. A behaviour is covered when a shipped rule indexes one of its calls (by
 * eventName): deleting or breaking that rule turns this red.
 */
import { describe, expect, it } from 'vitest';
import { loadRules, shippedRulesDir } from '../../lib/rules';

const set = loadRules([shippedRulesDir()]);

/** eventSource → eventNames a rule names, lowercased as the engine indexes them. */
function indexedCalls(): Set<string> {
  const calls = new Set<string>();
  for (const rule of set.detections) {
    const requirement = rule.requirement;
    if (requirement === undefined) continue;
    for (const name of requirement.names) calls.add(name);
  }
  return calls;
}

const BEHAVIOURS: [area: string, behaviour: string, eventNames: string[]][] = [
  ['Lambda', 'resource policy opened', ['AddPermission20150331v2', 'AddPermission20150331']],
  [
    'Lambda',
    'function URL without auth',
    ['CreateFunctionUrlConfig20211031', 'UpdateFunctionUrlConfig20211031'],
  ],
  ['Lambda', 'code replaced', ['UpdateFunctionCode20150331v2', 'UpdateFunctionCode']],
  [
    'Lambda',
    'layers or environment changed',
    ['UpdateFunctionConfiguration20150331v2', 'UpdateFunctionConfiguration'],
  ],
  ['Lambda', 'unusual invocation', ['Invoke']],
  ['Systems Manager', 'SendCommand', ['SendCommand']],
  ['Systems Manager', 'StartSession', ['StartSession']],
  ['Systems Manager', 'decrypted parameter reads', ['GetParameters', 'GetParametersByPath']],
  ['Secrets Manager', 'BatchGetSecretValue', ['BatchGetSecretValue']],
  ['Secrets Manager', 'multi-region or bulk retrieval', ['ReplicateSecretToRegions', 'GetSecretValue']],
  ['KMS', 'decrypt bursts', ['Decrypt']],
  ['EC2', 'Instance Connect keys', ['SendSSHPublicKey']],
  ['EC2', 'serial console', ['SendSerialConsoleSSHPublicKey', 'EnableSerialConsoleAccess']],
  ['EC2', 'user data read', ['DescribeInstanceAttribute']],
  ['EC2', 'user data changed', ['ModifyInstanceAttribute']],
  ['EC2', 'EBS default encryption disabled', ['DisableEbsEncryptionByDefault']],
  ['EC2', 'traffic mirroring', ['CreateTrafficMirrorSession']],
  ['EC2', 'snapshot sharing', ['ModifySnapshotAttribute']],
  ['EC2', 'AMI sharing', ['ModifyImageAttribute']],
  ['EC2', 'unusual instance types', ['RunInstances']],
  ['EC2', 'opt-in region enabled', ['EnableRegion']],
  ['S3', 'encryption removed', ['DeleteBucketEncryption']],
  ['S3', 'logging removed', ['PutBucketLogging']],
  ['S3', 'versioning or MFA delete removed', ['PutBucketVersioning']],
  ['S3', 'replication', ['PutBucketReplication']],
  [
    'S3',
    'public access block removed',
    [
      'DeletePublicAccessBlock',
      'PutPublicAccessBlock',
      'DeleteBucketPublicAccessBlock',
      'PutBucketPublicAccessBlock',
    ],
  ],
  ['S3', 'objects copied to another account or re-encrypted with a foreign key', ['CopyObject', 'PutObject']],
  ['S3', 'mass deletes', ['DeleteObjects', 'DeleteObject']],
  ['RDS', 'made public', ['ModifyDBInstance']],
  ['RDS', 'snapshot shared', ['ModifyDBSnapshotAttribute']],
  ['RDS', 'snapshot copied', ['CopyDBSnapshot', 'CopyDBClusterSnapshot']],
  ['RDS', 'snapshot exported', ['StartExportTask']],
  ['RDS', 'activity stream stopped', ['StopActivityStream']],
  ['RDS', 'IAM role added', ['AddRoleToDBInstance', 'AddRoleToDBCluster']],
  ['ECR', 'made public', ['SetRepositoryPolicy']],
  ['CodeBuild', 'made public', ['UpdateProjectVisibility']],
  [
    'EBS/AMI',
    'block public access disabled',
    ['DisableSnapshotBlockPublicAccess', 'DisableImageBlockPublicAccess'],
  ],
  [
    'Logging',
    'Route 53 Resolver query logging deleted',
    ['DeleteResolverQueryLogConfig', 'DisassociateResolverQueryLogConfig'],
  ],
  ['Logging', 'GuardDuty disabled', ['DeleteDetector', 'UpdateDetector']],
  ['Logging', 'GuardDuty muted', ['CreateFilter', 'UpdateFilter']],
  [
    'Logging',
    'GuardDuty publishing destination or members',
    [
      'DeletePublishingDestination',
      'DisassociateMembers',
      'DisassociateFromMasterAccount',
      'DisassociateFromAdministratorAccount',
    ],
  ],
  ['Logging', 'Security Hub disabled', ['DisableSecurityHub']],
  ['Logging', 'Macie disabled', ['DisableMacie', 'UpdateMacieSession']],
  ['Logging', 'Detective disabled', ['DeleteGraph', 'DisassociateMembership']],
  ['Logging', 'Config stopped', ['StopConfigurationRecorder', 'DeleteConfigurationRecorder']],
  ['Logging', 'Access Analyzer deleted', ['DeleteAnalyzer']],
  ['Logging', 'WAF disassociated', ['DisassociateWebACL']],
  ['Logging', 'VPC flow logs deleted', ['DeleteFlowLogs']],
  ['Logging', 'CloudWatch alarms deleted', ['DeleteAlarms', 'DisableAlarmActions']],
  ['Logging', 'log groups deleted', ['DeleteLogGroup']],
  ['Logging', 'Bedrock invocation logging removed', ['DeleteModelInvocationLoggingConfiguration']],
  ['Logging', 'Bedrock guardrails removed', ['DeleteGuardrail']],
  ['Logging', 'CloudTrail stopped or deleted', ['StopLogging', 'DeleteTrail']],
  [
    'Identity',
    'Identity Center permission sets',
    ['CreatePermissionSet', 'AttachManagedPolicyToPermissionSet', 'PutInlinePolicyToPermissionSet'],
  ],
  ['Identity', 'Identity Center assignments', ['CreateAccountAssignment']],
  ['Identity', 'Roles Anywhere', ['CreateTrustAnchor', 'CreateProfile']],
  [
    'Identity',
    'SAML/OIDC providers',
    ['CreateSAMLProvider', 'UpdateSAMLProvider', 'CreateOpenIDConnectProvider'],
  ],
  ['Identity', 'GetFederationToken', ['GetFederationToken']],
  ['Identity', 'GetSessionToken misuse', ['GetSessionToken']],
  ['Identity', 'GetSigninToken console federation', ['GetSigninToken']],
  ['Identity', 'console sign-in', ['ConsoleLogin']],
  ['Identity', 'role trust opened', ['UpdateAssumeRolePolicy']],
  ['Identity', 'access keys for root', ['CreateAccessKey']],
  ['Identity', 'password policy weakened', ['UpdateAccountPasswordPolicy', 'DeleteAccountPasswordPolicy']],
  ['Identity', 'MFA devices removed', ['DeactivateMFADevice', 'DeleteVirtualMFADevice']],
  ['AI', 'model access enabled', ['PutFoundationModelEntitlement', 'PutUseCaseForModelAccess']],
  ['AI', 'foundation-model agreements', ['CreateFoundationModelAgreement']],
  ['AI', 'invocation by new principals', ['InvokeModel', 'Converse']],
  ['Discovery', 'GetCallerIdentity', ['GetCallerIdentity']],
  ['Discovery', 'permission enumeration', ['GetAccountAuthorizationDetails', 'ListAttachedRolePolicies']],
];

describe('coverage of the attack behaviours the pack is built for', () => {
  const calls = indexedCalls();
  it.each(BEHAVIOURS)('%s: %s', (_area, _behaviour, eventNames) => {
    expect(
      eventNames.filter((name) => calls.has(name.toLowerCase())),
      `no shipped rule names any of ${eventNames.join(', ')}`,
    ).not.toEqual([]);
  });

  it('the pack holds at least 150 rules of our own, each with a runbook', () => {
    const rules = [...set.detections, ...set.correlations];
    expect(rules.length).toBeGreaterThanOrEqual(150);
    expect(rules.filter((rule) => !rule.meta.runbook).map((rule) => rule.meta.title)).toEqual([]);
  });
});
