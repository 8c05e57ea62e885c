export type { AccountNamesOptions } from './names';
export {
  AccountNames,
  accountLabel,
  accountNamesFor,
  NO_ACCOUNT_NAMES,
  ORGANIZATIONS_CACHE_MS,
  ORGANIZATIONS_RETRY_AFTER_FAILURE_MS,
} from './names';
export type { AccountDirectory, OrganizationsLookup } from './organizations';
export { describeLookupFailure, listOrganizationAccounts, organizationsLookup } from './organizations';
export { labelAuditAccounts, withAccountNames } from './reports';
