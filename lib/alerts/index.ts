export type { Alert, AlertRule, CorrelationDetails } from './alert';
export { alertId, alertRule, describeAction, detectionAlert, readPath } from './alert';
export { consoleEventUrl } from './console-link';
export type { AlertFacts } from './facts';
export { alertFacts, principalArn, principalName } from './facts';
