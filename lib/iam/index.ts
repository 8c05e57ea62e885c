export type { AuthorizationDetails, CitedStatement, RolesReport, WideReason, WideRole } from './analyse';
export { analyseRoles, probeContextOf, wideReasons } from './analyse';
export {
  findWideRoleArns,
  needsWideRoles,
  resolveAutoPlaceholdersForCli,
  WIDE_PERMISSION_ROLES,
  wideRoleArns,
} from './auto';
export type { Capability, CapabilityId, ProbeContext } from './capabilities';
export { AWS_MANAGED_ADMIN_POLICIES, CAPABILITIES } from './capabilities';
export type { PolicyKind, PolicyRef, Probe, ProbeResult, SourcedPolicy } from './evaluate';
export { evaluateProbe } from './evaluate';
export { formatRolesJson, formatRolesTable } from './format';
export type { ConditionTest, PolicyDocument, Statement } from './policy-document';
export { PolicyDocumentError, parsePolicyDocument, parsePolicyText } from './policy-document';
export type { AuthorizationDetailsSender, IamConnection } from './read';
export {
  createIamClient,
  DEFAULT_IAM_ENDPOINT,
  describeEndpoint,
  IamReadError,
  readAuthorizationDetails,
} from './read';
export type { RefreshOutcome, RuntimeSupply } from './refresh';
export {
  refreshWideRoles,
  WIDE_ROLES_REFRESH_MS,
  WideRolesSource,
  wideRolesRuntime,
  wideRolesStoreFor,
} from './refresh';
export type { WideRolesSnapshot, WideRolesStoreSettings } from './store';
export { fitToItem, WIDE_ROLES_ITEM_KEY, WideRolesStore } from './store';
export type { TrustEntry, TrustKind } from './trust';
export { classifyAwsPrincipal, trustEntries } from './trust';
