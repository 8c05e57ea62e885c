import { MemoryThreads } from './memory-threads';
import type {
  ClaimDecision,
  DedupDecision,
  DeliveryClaim,
  Sighting,
  SightingDecision,
  StateStore,
  ThreadParent,
  ThreadParentWrite,
  ThreadRepeat,
  WindowEntry,
  WindowKeeping,
} from './types';
import { pruneWindow } from './types';

interface DedupEntry {
  alertId: string;
  windowEnd: number;
  suppressed: number;
}

interface DeliveryEntry {
  delivered: boolean;
  owner?: string;
  leaseUntil?: number;
  /** Sends that may have reached the receiver. */
  sends: number;
}

/** State for one process (the CLI, tests): lost when it exits. */
export class MemoryStateStore implements StateStore {
  private readonly dedupEntries = new Map<string, DedupEntry>();
  private readonly windows = new Map<string, WindowEntry[]>();
  private readonly deliveries = new Map<string, DeliveryEntry>();
  private readonly sightings = new Map<string, { eventID: string; firstAt: number; lastSeen: number }>();

  async dedup(key: string, alertId: string, windowMs: number, now: number): Promise<DedupDecision> {
    const entry = this.dedupEntries.get(key);
    if (entry && entry.windowEnd > now) {
      if (entry.alertId === alertId) return { notify: true, suppressedBefore: 0 };
      entry.suppressed++;
      return { notify: false, suppressedSoFar: entry.suppressed };
    }
    this.dedupEntries.set(key, { alertId, windowEnd: now + windowMs, suppressed: 0 });
    return { notify: true, suppressedBefore: entry?.suppressed ?? 0 };
  }

  async appendToWindow(
    key: string,
    entry: WindowEntry,
    timespanMs: number,
    keep?: WindowKeeping,
  ): Promise<WindowEntry[]> {
    const kept = pruneWindow([...(this.windows.get(key) ?? []), entry], timespanMs, keep);
    this.windows.set(key, kept);
    return kept;
  }

  async resetWindow(key: string): Promise<void> {
    this.windows.delete(key);
  }

  /** Checked and written in one synchronous step: JavaScript runs it without interleaving. */
  async claimDelivery(alertId: string, destination: string, claim: DeliveryClaim): Promise<ClaimDecision> {
    const key = deliveryKey(alertId, destination);
    const entry = this.deliveries.get(key) ?? { delivered: false, sends: 0 };
    if (entry.delivered) return { kind: 'already-sent' };
    if (entry.leaseUntil !== undefined && entry.leaseUntil > claim.now)
      return { kind: 'held', leaseUntil: entry.leaseUntil };
    if (entry.sends >= claim.maxSends) return { kind: 'sends-exhausted', sends: entry.sends };
    const send = entry.sends + 1;
    this.deliveries.set(key, {
      delivered: false,
      owner: claim.owner,
      leaseUntil: claim.now + claim.leaseMs,
      sends: send,
    });
    return { kind: 'claimed', send };
  }

  async releaseClaim(alertId: string, destination: string, owner: string): Promise<void> {
    const key = deliveryKey(alertId, destination);
    const entry = this.deliveries.get(key);
    if (!entry || entry.delivered || entry.owner !== owner) return;
    this.deliveries.set(key, { delivered: false, sends: Math.max(0, entry.sends - 1) });
  }

  async wasDelivered(alertId: string, destination: string): Promise<boolean> {
    return this.deliveries.get(deliveryKey(alertId, destination))?.delivered === true;
  }

  async markDelivered(alertId: string, destination: string): Promise<void> {
    const key = deliveryKey(alertId, destination);
    this.deliveries.set(key, { delivered: true, sends: this.deliveries.get(key)?.sends ?? 1 });
  }

  async sighting(key: string, sighting: Sighting, forgetMs: number): Promise<SightingDecision> {
    const known = this.sightings.get(key);
    if (known === undefined || known.eventID === sighting.eventID || known.lastSeen < sighting.t - forgetMs) {
      const firstAt = known?.eventID === sighting.eventID ? known.firstAt : sighting.t;
      this.sightings.set(key, {
        eventID: sighting.eventID,
        firstAt,
        lastSeen: Math.max(sighting.t, known?.lastSeen ?? sighting.t),
      });
      return { first: true, firstAt };
    }
    known.lastSeen = Math.max(known.lastSeen, sighting.t);
    return { first: false, firstAt: known.firstAt };
  }

  private readonly threads = new MemoryThreads();

  async saveThreadParent(key: string, parent: ThreadParentWrite): Promise<ThreadParent> {
    return this.threads.save(key, parent);
  }

  async threadRepeat(key: string, count: number, now: number): Promise<ThreadRepeat | undefined> {
    return this.threads.repeat(key, count, now);
  }
}

function deliveryKey(alertId: string, destination: string): string {
  return `${alertId}\u0000${destination}`;
}
