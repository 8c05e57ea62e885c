import type { Actor, ActorInterface, Person } from '../actor/types';
import type { Alert } from '../alerts';
import type { CloudTrailRecord } from '../records';
import type { DetectionRule, Level } from '../rules';
import type {
  Access,
  AuditAction,
  AuditReport,
  AuditSession,
  AuditSummary,
  CountedName,
  RaisedRule,
  UnattributedSessions,
} from './model';
import { StartIndex, sessionStart } from './start';
import type { PersonQuery } from './who';

const SERVICE_SUFFIX = '.amazonaws.com';

/** A session being filled, record by record. */
interface OpenSession {
  readonly id: string;
  readonly person: Person;
  readonly actor: Actor;
  /** `userIdentity.type` of the session's first record (`FederatedUser` tells a federation token). */
  readonly identityType: string | undefined;
  readonly actions: Entry[];
}

interface Entry {
  readonly action: AuditAction;
  readonly time: number;
  readonly order: number;
  /** `sharedEventID` and event name: the same cross-account call logged in both accounts. */
  readonly shared?: string;
  /** The copy logged where the caller is (it names the caller, not just `AWSAccount`). */
  readonly callerCopy: boolean;
}

/**
 * Gathers the person's records into sessions as the driver reports them (in any order: the report
 * sorts), and counts the sessions of the same roles whose person is unknown. Only the person's
 * records and the starting events are kept, so memory follows the person's activity, not the data's.
 */
export class AuditCollector {
  private readonly starts = new StartIndex();
  private readonly sessions = new Map<string, OpenSession>();
  /** eventIDs taken: overlapping inputs (or CloudTrail's rare duplicate delivery) show a call once. */
  private readonly seen = new Set<string>();
  private readonly byRole = new Map<string, Map<string, number>>();
  private readonly correlations: RaisedRule[] = [];
  private order = 0;

  constructor(private readonly query: PersonQuery) {}

  /** A record that may start a session: kept by eventID so the session it starts can name it. */
  noteStart(record: CloudTrailRecord, actor: Actor | undefined): void {
    this.starts.add(record, actor);
  }

  addRecord(record: CloudTrailRecord, actor: Actor | undefined, rules: readonly DetectionRule[]): void {
    this.noteStart(record, actor);
    if (!this.query.matches(actor, record) || actor === undefined) {
      this.countUnattributed(record, actor);
      return;
    }
    if (this.seen.has(record.eventID)) return;
    this.seen.add(record.eventID);
    const id = sessionKey(record, actor);
    let session = this.sessions.get(id);
    if (!session) {
      session = {
        id,
        person: actor.person,
        actor,
        identityType: record.userIdentity?.type,
        actions: [],
      };
      this.sessions.set(id, session);
    }
    const action = toAction(record, actor, rules);
    session.actions.push({
      action,
      time: timeOf(record.eventTime),
      order: this.order++,
      callerCopy: record.userIdentity?.type !== 'AWSAccount',
      ...(typeof record.sharedEventID === 'string'
        ? { shared: `${record.sharedEventID}:${record.eventName}` }
        : {}),
    });
  }

  /** A correlation alert whose last event was the person's (detections are on their actions already). */
  addAlert(alert: Alert): void {
    if (alert.kind !== 'correlation' || !this.query.matches(alert.actor, alert.record)) return;
    this.correlations.push({ ruleId: alert.rule.id, title: alert.title, level: alert.level });
  }

  /** True once any record of the person was taken. */
  get found(): boolean {
    return this.sessions.size > 0;
  }

  report(): AuditReport {
    const kept = keptCopies([...this.sessions.values()].flatMap((open) => open.actions));
    const sessions = [...this.sessions.values()]
      .map((open) => this.close(open, kept))
      .filter((session) => session.actions.length > 0);
    sessions.sort(
      (a, b) =>
        timeOf(a.started.eventTime ?? a.firstEventTime) - timeOf(b.started.eventTime ?? b.firstEventTime) ||
        timeOf(a.firstEventTime) - timeOf(b.firstEventTime),
    );
    const people = new Map<string, Person>();
    for (const session of sessions) {
      people.set(`${session.person.kind}|${session.person.name}|${session.person.arn}`, session.person);
    }
    return {
      who: this.query.who,
      people: [...people.values()],
      sessions,
      summary: summarise(sessions, this.correlations),
      unattributed: this.unattributed(sessions),
    };
  }

  private close(open: OpenSession, kept: ReadonlySet<Entry>): AuditSession {
    const ordered = open.actions
      .filter((entry) => kept.has(entry))
      .sort((a, b) => a.time - b.time || a.order - b.order);
    const actions = ordered.map((entry) => entry.action);
    const accounts = new Set(open.actor.via.map(accountOfArn).filter((a): a is string => a !== undefined));
    const sourceIPs = new Set<string>();
    const interfaceCounts = new Map<ActorInterface, number>();
    for (const action of actions) {
      if (action.account !== null) accounts.add(action.account);
      if (action.sourceIPAddress !== null) sourceIPs.add(action.sourceIPAddress);
      interfaceCounts.set(action.interface, (interfaceCounts.get(action.interface) ?? 0) + 1);
    }
    const interfaces = [...interfaceCounts.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name);
    return {
      id: open.id,
      person: open.person,
      started: sessionStart(
        open.actor,
        this.starts,
        open.identityType,
        actions.map((action) => action.eventID),
      ),
      via: open.actor.via,
      accounts: [...accounts],
      interfaces,
      sourceIPs: [...sourceIPs],
      proof: open.actor.proof,
      firstEventTime: actions[0]?.eventTime ?? '',
      lastEventTime: actions[actions.length - 1]?.eventTime ?? '',
      actions,
    };
  }

  /** A record whose person is unknown, counted under the role it used. */
  private countUnattributed(record: CloudTrailRecord, actor: Actor | undefined): void {
    if (actor !== undefined && actor.person.kind !== 'unknown') return;
    const role = actor?.via[actor.via.length - 1] ?? record.userIdentity?.sessionContext?.sessionIssuer?.arn;
    if (typeof role !== 'string' || role === '') return;
    const key = role.toLowerCase();
    const sessions = this.byRole.get(key) ?? new Map<string, number>();
    this.byRole.set(key, sessions);
    const id =
      actor?.session ?? `${record.userIdentity?.arn ?? ''}|${record.userIdentity?.accessKeyId ?? ''}`;
    sessions.set(id, (sessions.get(id) ?? 0) + 1);
  }

  private unattributed(sessions: readonly AuditSession[]): UnattributedSessions {
    const roles = new Map<string, string>();
    for (const session of sessions) for (const role of session.via) roles.set(role.toLowerCase(), role);
    let total = 0;
    let actions = 0;
    const counted: CountedName[] = [];
    for (const [key, role] of roles) {
      const unknown = this.byRole.get(key);
      if (!unknown || unknown.size === 0) continue;
      total += unknown.size;
      for (const count of unknown.values()) actions += count;
      counted.push({ name: role, count: unknown.size });
    }
    return { sessions: total, actions, roles: counted };
  }
}

/**
 * A cross-account call (an AssumeRole into another account) is logged in both accounts with one
 * `sharedEventID`: it is one action of the person, shown once, as the caller's copy (the other
 * account's names the caller only as `AWSAccount`), or the first read when neither is.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
function keptCopies(entries: readonly Entry[]): Set<Entry> {
  const chosen = new Map<string, Entry>();
  const kept = new Set<Entry>();
  for (const entry of [...entries].sort((a, b) => a.order - b.order)) {
    if (entry.shared === undefined) {
      kept.add(entry);
      continue;
    }
    const previous = chosen.get(entry.shared);
    if (previous === undefined || (!previous.callerCopy && entry.callerCopy)) chosen.set(entry.shared, entry);
  }
  for (const entry of chosen.values()) kept.add(entry);
  return kept;
}

/** The session a record belongs to: the actor's id, else the identity and the key it used (an IAM user's long-term key is one session). */
function sessionKey(record: CloudTrailRecord, actor: Actor): string {
  if (actor.session !== null) return actor.session;
  const identity = record.userIdentity;
  return `${actor.person.arn ?? actor.person.name ?? ''}|${identity?.accessKeyId ?? 'no-key'}`;
}

function toAction(record: CloudTrailRecord, actor: Actor, rules: readonly DetectionRule[]): AuditAction {
  const account = record.recipientAccountId ?? record.userIdentity?.accountId;
  const source = String(record.eventSource);
  return {
    eventID: record.eventID,
    eventTime: record.eventTime,
    account: typeof account === 'string' && account !== '' ? account : null,
    region: record.awsRegion,
    service: source.endsWith(SERVICE_SUFFIX) ? source.slice(0, -SERVICE_SUFFIX.length) : source,
    action: record.eventName,
    access: accessOf(record.readOnly),
    errorCode: stringOrNull(record.errorCode),
    errorMessage: stringOrNull(record.errorMessage),
    sourceIPAddress: stringOrNull(record.sourceIPAddress),
    userAgent: stringOrNull(record.userAgent),
    interface: actor.interface,
    rules: rules.map((rule) => ({ ruleId: rule.meta.id, title: rule.meta.title, level: rule.meta.level })),
  };
}

/** CloudTrail writes `readOnly` as a boolean; some exporters as a string. */
function accessOf(readOnly: unknown): Access {
  if (readOnly === true || readOnly === 'true') return 'read';
  if (readOnly === false || readOnly === 'false') return 'write';
  return 'unknown';
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function timeOf(iso: string): number {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? 0 : time;
}

/** The account id of an ARN (`arn:aws:iam::222222222222:role/OrgAdmin`). */
export function accountOfArn(arn: string): string | undefined {
  const account = arn.split(':', 5)[4];
  return account === undefined || account === '' ? undefined : account;
}

function summarise(sessions: readonly AuditSession[], correlations: readonly RaisedRule[]): AuditSummary {
  const services = new Map<string, number>();
  const accounts = new Set<string>();
  const regions = new Set<string>();
  const sourceIPs = new Set<string>();
  const byLevel: Partial<Record<Level, number>> = {};
  let actions = 0;
  let reads = 0;
  let writes = 0;
  let unknownAccess = 0;
  let errors = 0;
  let alerts = 0;
  let first: string | null = null;
  let last: string | null = null;
  for (const session of sessions) {
    for (const account of session.accounts) accounts.add(account);
    for (const action of session.actions) {
      actions++;
      if (action.access === 'read') reads++;
      else if (action.access === 'write') writes++;
      else unknownAccess++;
      if (action.errorCode !== null) errors++;
      services.set(action.service, (services.get(action.service) ?? 0) + 1);
      regions.add(action.region);
      if (action.sourceIPAddress !== null) sourceIPs.add(action.sourceIPAddress);
      for (const rule of action.rules) {
        alerts++;
        byLevel[rule.level] = (byLevel[rule.level] ?? 0) + 1;
      }
      if (first === null || timeOf(action.eventTime) < timeOf(first)) first = action.eventTime;
      if (last === null || timeOf(action.eventTime) > timeOf(last)) last = action.eventTime;
    }
  }
  return {
    sessions: sessions.length,
    actions,
    reads,
    writes,
    unknownAccess,
    errors,
    services: [...services.entries()]
      .map(([name, count]) => ({ name, count }))
      .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    accounts: [...accounts].sort(),
    regions: [...regions].sort(),
    sourceIPs: [...sourceIPs],
    alerts: { total: alerts, byLevel },
    correlations,
    firstEventTime: first,
    lastEventTime: last,
  };
}
