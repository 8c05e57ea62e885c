export { AuditCollector, accountOfArn } from './collect';
export { renderAuditHtml } from './html';
export type { AuditInputsOptions, AuditInputsResult } from './inputs';
export { auditInputs, SESSION_LOOKBACK_MS } from './inputs';
export type { FollowedLookup, LookupWindow } from './lookup';
export { followPerson, MAX_FOLLOWED_HOPS, MAX_FOLLOWED_SESSIONS, returnedKeys } from './lookup';
export type {
  Access,
  AuditAction,
  AuditReport,
  AuditSession,
  AuditSummary,
  CountedName,
  RaisedRule,
  SessionStartInfo,
  StartKind,
  UnattributedSessions,
} from './model';
export type { StartEvent } from './start';
export { isStartEvent, SESSION_START_EVENTS, StartIndex, sessionStart, startLabel } from './start';
export { describePerson, renderAuditTable, roleLabel } from './terminal';
export { PersonQuery } from './who';
