export type { Alert, AlertRule, CorrelationDetails } from './alert';
export { alertId, alertRule, describeAction, detectionAlert, readPath, recordView } from './alert';
export { consoleEventUrl, isRegionCode, safeConsoleUrl } from './console-link';
export type { AlertFacts } from './facts';
export { alertFacts, principalArn, principalName } from './facts';
export {
  alertLead,
  attributionFact,
  CAPPED_CHAIN_MAX,
  cappedActor,
  isKnownPerson,
  PERSON_TEXT_MAX,
  personFact,
  personFacts,
  personHeadline,
  personShort,
  roleChainFact,
  roleName,
  SUMMARY_CHAIN_MAX,
  titleWithPerson,
  UNKNOWN_PERSON,
  unknownPersonFact,
} from './person';
export { FIELD_TEXT_MAX, jsonText, member, stringField, textField } from './text-field';
