import { isIP } from 'node:net';
import type { FirstSeenDocument } from './schema';
import { durationMs } from './schema';
import type { FirstSeenField, FirstSeenSpec } from './types';

/** Until a rule has seen this much history, a combination is learned, not reported. */
export const DEFAULT_FIRST_SEEN_LEARNING = '14d';
/** A combination unseen this long is forgotten (and the state item expires). */
export const DEFAULT_FIRST_SEEN_FORGET = '90d';

/** IPv4 addresses are compared by /24 and IPv6 by /48: one office, VPN pool or ISP allocation. */
const IPV4_NETWORK_OCTETS = 3;
const IPV6_NETWORK_GROUPS = 3;

/**
 * How a first-seen field's value may be normalised before it is compared (`field|transform`).
 * Adding one is one line here.
 */
export const FIRST_SEEN_TRANSFORMS: ReadonlyMap<string, (value: string) => string> = new Map([
  ['network', networkOf],
  ['lower', (value: string) => value.toLowerCase()],
  ['role', roleOf],
]);

const ASSUMED_ROLE_ARN = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.*$/;

/**
 * The role behind a role session's ARN (`…:assumed-role/Deploy/i-0abc` → `…:role/Deploy`), so each
 * new session of a known role (a new instance, a new CLI session) is not new; other ARNs as they are.
 */
export function roleOf(value: string): string {
  const match = ASSUMED_ROLE_ARN.exec(value);
  return match ? `arn:${match[1]}:iam::${match[2]}:role/${match[3]}` : value;
}

/** The network an address belongs to; anything else (`cloudtrail.amazonaws.com`) as it is. */
export function networkOf(value: string): string {
  const version = isIP(value);
  if (version === 4) return `${value.split('.').slice(0, IPV4_NETWORK_OCTETS).join('.')}.0/24`;
  if (version === 6) return `${expandIpv6(value).slice(0, IPV6_NETWORK_GROUPS).join(':')}::/48`;
  return value;
}

function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = Math.max(0, 8 - left.length - right.length);
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((group) =>
    group.includes('.') ? group : group.replace(/^0+(?=.)/, ''),
  );
}

export type FirstSeenOutcome =
  | { readonly ok: true; readonly spec: FirstSeenSpec }
  | {
      readonly ok: false;
      readonly errors: readonly { message: string; path: readonly (string | number)[] }[];
    };

function compileField(
  spec: string,
  path: readonly (string | number)[],
): FirstSeenField | { message: string; path: readonly (string | number)[] } {
  const [field = '', transform, ...rest] = spec.split('|');
  if (rest.length > 0 || field === '')
    return { message: `${spec}: a first-seen field is a path with at most one |transform`, path };
  if (transform === undefined) return { spec, path: field, transform: (value) => value };
  const apply = FIRST_SEEN_TRANSFORMS.get(transform);
  if (!apply)
    return {
      message: `${spec}: unknown transform '${transform}' (known: ${[...FIRST_SEEN_TRANSFORMS.keys()].join(', ')})`,
      path,
    };
  return { spec, path: field, transform: apply };
}

/** Checks and compiles a rule's `first_seen:` block; every bad field is reported with its path. */
export function compileFirstSeen(document: FirstSeenDocument): FirstSeenOutcome {
  const errors: { message: string; path: readonly (string | number)[] }[] = [];
  const compileList = (specs: readonly string[], key: string): FirstSeenField[] =>
    specs.flatMap((spec, index) => {
      const compiled = compileField(spec, ['first_seen', key, index]);
      if ('message' in compiled) {
        errors.push(compiled);
        return [];
      }
      return [compiled];
    });
  const fields = compileList(document.fields, 'fields');
  const groupBy = compileList(document['group-by'] ?? [], 'group-by');
  const learningMs = durationMs(document.learning ?? DEFAULT_FIRST_SEEN_LEARNING);
  const forgetMs = durationMs(document.forget ?? DEFAULT_FIRST_SEEN_FORGET);
  if (forgetMs <= learningMs)
    errors.push({
      message: `first_seen.forget (${document.forget ?? DEFAULT_FIRST_SEEN_FORGET}) must be longer than the learning window`,
      path: ['first_seen', 'forget'],
    });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, spec: { fields, groupBy, learningMs, forgetMs } };
}
