// What the packaged trailwatch.yml makes the functions read: the Secrets Manager secrets, SSM
// parameters and SNS topics its destinations name. Resolved when `serverless package` runs, from
// the same file the package carries, so the functions may read exactly those and nothing else.
'use strict';

const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { LineCounter, parseDocument, isMap, isSeq, isScalar } = require('yaml');

/** The file serverless.yml packages (package.patterns) and the functions read at cold start. */
const CONFIG_FILE = 'trailwatch.yml';

/** The function roles (deploy/roles.yml) that load the config and deliver alerts. */
const FUNCTION_ROLES = [
  'S3IngestRole',
  'SnsIngestRole',
  'LogsIngestRole',
  'EventsIngestRole',
  'QueueIngestRole',
  'TrailBootstrapRole',
];

/**
 * Secret names: 1-512 characters, ASCII letters, digits and /_+=.@-
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html
 */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
/**
 * Parameter names: letters, digits, . - _ and / for hierarchies, at most 2048 characters.
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
 */
const PARAMETER_NAME = /^[A-Za-z0-9_./-]{1,2048}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const PARAMETER_ARN = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9_./-]+$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

class ConfigResourceError extends Error {
  constructor(problems) {
    super(problems.join('\n'));
    this.name = 'ConfigResourceError';
    this.problems = problems;
  }
}

/**
 * Every secret, parameter and topic the config's destinations reference, each once, in the order
 * written. A malformed name or ARN is a problem at its file:line, so packaging stops there rather
 * than deploying a function that cannot read its own secret.
 */
function configReferences(text, file) {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const lineOf = (node) => (node?.range ? lineCounter.linePos(node.range[0]).line : 1);
  if (document.errors.length > 0) {
    throw new ConfigResourceError(
      document.errors.map((error) => `${file}:${error.linePos?.[0]?.line ?? 1}: YAML: ${error.message}`),
    );
  }
  const found = { secrets: new Set(), parameters: new Set(), topics: new Set() };
  const problems = [];
  const root = document.contents;
  const destinations = isMap(root) ? root.get('destinations', true) : undefined;
  if (!isMap(destinations)) return { secrets: [], parameters: [], topics: [] };

  /** `namePattern` null: only an ARN will do (an email destination's topic). */
  const add = (kind, node, namePattern, arnPattern, label) => {
    const value = isScalar(node) ? node.value : undefined;
    const isName =
      namePattern !== null &&
      typeof value === 'string' &&
      !value.startsWith('arn:') &&
      namePattern.test(value);
    if (typeof value === 'string' && (arnPattern.test(value) || isName)) {
      found[kind].add(value);
      return;
    }
    problems.push(
      `${file}:${lineOf(node)}: ${label}: ${JSON.stringify(value ?? null)} is not a valid name or ARN`,
    );
  };

  const walk = (node) => {
    if (isSeq(node)) {
      for (const item of node.items) walk(item);
      return;
    }
    if (!isMap(node)) return;
    if (node.has('secretsmanager'))
      add('secrets', node.get('secretsmanager', true), SECRET_NAME, SECRET_ARN, 'secretsmanager');
    if (node.has('ssm')) add('parameters', node.get('ssm', true), PARAMETER_NAME, PARAMETER_ARN, 'ssm');
    for (const pair of node.items) walk(pair.value);
  };

  for (const pair of destinations.items) {
    const destination = pair.value;
    if (!isMap(destination)) continue;
    if (destination.get('type') === 'email' && destination.has('topic_arn'))
      add('topics', destination.get('topic_arn', true), null, TOPIC_ARN, 'topic_arn');
    walk(destination);
  }
  if (problems.length > 0) throw new ConfigResourceError(problems);
  return { secrets: [...found.secrets], parameters: [...found.parameters], topics: [...found.topics] };
}

/** A secret's ARN ends in '-' and six random characters; a name or partial ARN matches them with ??????. */
function secretResources(reference) {
  if (reference.startsWith('arn:')) return [reference, `${reference}-??????`];
  return [
    {
      'Fn::Sub': `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${reference}-??????`,
    },
  ];
}

/** `/team/slack` is `parameter/team/slack`; `slack` is `parameter/slack`. */
function parameterResource(reference) {
  if (reference.startsWith('arn:')) return reference;
  const path = reference.startsWith('/') ? reference.slice(1) : reference;
  return { 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/${path}` };
}

/** The IAM statements for those references; none for a kind the config does not use. */
function referenceStatements(references) {
  const statements = [];
  if (references.secrets.length > 0)
    statements.push({
      Sid: 'ReadConfiguredSecrets',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: references.secrets.flatMap(secretResources),
    });
  if (references.parameters.length > 0)
    statements.push({
      Sid: 'ReadConfiguredParameters',
      Effect: 'Allow',
      Action: 'ssm:GetParameter',
      Resource: references.parameters.map(parameterResource),
    });
  if (references.topics.length > 0)
    statements.push({
      Sid: 'PublishToConfiguredTopics',
      Effect: 'Allow',
      Action: 'sns:Publish',
      Resource: references.topics,
    });
  return statements;
}

/**
 * Whether the config asks for `placeholders.wide_permission_roles: auto`: the scheduled health run
 * then reads IAM to find the wide roles, and only then may the bootstrap role do so.
 */
function wantsWideRolesFromIam(text) {
  const placeholders = parseDocument(text).toJS()?.placeholders;
  return (
    typeof placeholders === 'object' && placeholders !== null && placeholders.wide_permission_roles === 'auto'
  );
}

/**
 * GetAccountAuthorizationDetails has no resource-level permissions: `*` is the only resource.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
 */
const WIDE_ROLES_POLICY = {
  WideRolesFromIamPolicy: {
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: {
      Description: 'trailwatch - reads IAM to list wide roles (placeholders.wide_permission_roles: auto)',
      Roles: [{ Ref: 'TrailBootstrapRole' }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ReadAuthorizationDetails',
            Effect: 'Allow',
            Action: 'iam:GetAccountAuthorizationDetails',
            Resource: '*',
          },
        ],
      },
    },
  },
};

/**
 * Whether the config asks for `accounts: {organizations: true}`: every function then names accounts
 * in its alerts from Organizations' ListAccounts (lib/accounts/organizations.ts), and only then may
 * the function roles call it. A malformed `accounts:` grants nothing; the functions' config loader
 * reports it at cold start.
 */
function wantsOrganizationNames(text) {
  const accounts = parseDocument(text).toJS()?.accounts;
  return typeof accounts === 'object' && accounts !== null && accounts.organizations === true;
}

/**
 * ListAccounts defines no resource type, so `*` is the only resource it can be granted on; it is
 * the one Organizations call trailwatch makes (no DescribeAccount).
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html
 * It answers only in the management account or a delegated administrator's: elsewhere the call is
 * refused whatever this grants, and the functions show the names in `accounts:` alone.
 */
const ORGANIZATION_NAMES_POLICY = {
  AccountNamesFromOrganizationsPolicy: {
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: {
      Description:
        'trailwatch - lists the organization accounts to name them in alerts (accounts.organizations: true)',
      Roles: FUNCTION_ROLES.map((role) => ({ Ref: role })),
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ListOrganizationAccounts',
            Effect: 'Allow',
            Action: 'organizations:ListAccounts',
            Resource: '*',
          },
        ],
      },
    },
  },
};

/**
 * The stack fragment: one managed policy on every function role when the config references
 * anything, nothing otherwise (IAM refuses a policy without statements); only when the config asks
 * for wide roles from IAM, the bootstrap role's permission to read them; and only when it asks for
 * account names from Organizations, every function role's permission to list the accounts.
 */
function configPolicyFragment(serviceDir) {
  const file = join(serviceDir, CONFIG_FILE);
  if (!existsSync(file)) return { Resources: {} };
  const text = readFileSync(file, 'utf8');
  const statements = referenceStatements(configReferences(text, CONFIG_FILE));
  const optional = {
    ...(wantsWideRolesFromIam(text) ? WIDE_ROLES_POLICY : {}),
    ...(wantsOrganizationNames(text) ? ORGANIZATION_NAMES_POLICY : {}),
  };
  if (statements.length === 0) return { Resources: optional };
  return {
    Resources: {
      ...optional,
      ConfiguredDestinationsPolicy: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: {
          Description: `trailwatch - the secrets, parameters and topics ${CONFIG_FILE} names, read when delivering alerts`,
          Roles: FUNCTION_ROLES.map((role) => ({ Ref: role })),
          PolicyDocument: { Version: '2012-10-17', Statement: statements },
        },
      },
    },
  };
}

/** `${file(scripts/config-resources.cjs):resources}`: serverless runs from the service directory. */
module.exports.resources = () => configPolicyFragment(process.cwd());
module.exports.configReferences = configReferences;
module.exports.referenceStatements = referenceStatements;
module.exports.configPolicyFragment = configPolicyFragment;
module.exports.wantsWideRolesFromIam = wantsWideRolesFromIam;
module.exports.wantsOrganizationNames = wantsOrganizationNames;
module.exports.ConfigResourceError = ConfigResourceError;
module.exports.CONFIG_FILE = CONFIG_FILE;
module.exports.FUNCTION_ROLES = FUNCTION_ROLES;
