export type { Alert, AlertRule, CorrelationDetails } from './alert';
export { alertId, alertRule, describeAction, detectionAlert, readPath, recordView } from './alert';
export { consoleEventUrl, isRegionCode, safeConsoleUrl } from './console-link';
export type { AlertFacts } from './facts';
export { alertFacts, principalArn, principalName } from './facts';
export { FIELD_TEXT_MAX, jsonText, member, stringField, textField } from './text-field';
