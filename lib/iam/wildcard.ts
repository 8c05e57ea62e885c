/**
 * IAM's two wildcards: `*` (any run of characters, none included) and `?` (one character).
 * Actions compare case-insensitively; ARNs case-sensitively, each of the six colon-separated parts
 * on its own (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN).
 */

/** Glob match with `*` and `?`; greedy with one back-track point, so time is O(pattern × text). */
export function globMatch(pattern: string, text: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const t = ignoreCase ? text.toLowerCase() : text;
  let pi = 0;
  let ti = 0;
  let starAt = -1;
  let starText = 0;
  while (ti < t.length) {
    const c = p[pi];
    if (c === '*') {
      starAt = pi++;
      starText = ti;
    } else if (c !== undefined && (c === '?' || c === t[ti])) {
      pi++;
      ti++;
    } else if (starAt >= 0) {
      pi = starAt + 1;
      ti = ++starText;
    } else return false;
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}

/** `iam:Put*` matches `iam:PutRolePolicy`; `*` matches every action. */
export function actionMatches(pattern: string, action: string): boolean {
  return globMatch(pattern, action, true);
}

/** A part of a probe ARN that stands for "any value": the region, where any one region will do. */
export const ANY_PART = Symbol('any part');

/** A resource to test patterns against: the six ARN parts, each a value or ANY_PART. */
export type ProbeArn = readonly [
  arn: 'arn',
  partition: string,
  service: string,
  region: string | typeof ANY_PART,
  account: string,
  resource: string,
];

/** How many colon-separated parts an ARN has; the last (resource) part may itself hold colons. */
const ARN_PARTS = 6;

/** Whether a Resource/NotResource pattern covers the probe ARN. */
export function resourceMatches(pattern: string, probe: ProbeArn): boolean {
  if (pattern === '*') return true;
  const parts = splitArn(pattern);
  // A pattern with fewer than six parts (`arn:aws:*`) can only match through a `*` spanning parts.
  if (parts === undefined) return globMatch(pattern, formatProbeArn(probe));
  return probe.every((value, index) => {
    const part = parts[index];
    if (part === undefined) return false;
    return value === ANY_PART || globMatch(part, value);
  });
}

function splitArn(text: string): string[] | undefined {
  const pieces = text.split(':');
  if (pieces.length < ARN_PARTS) return undefined;
  return [...pieces.slice(0, ARN_PARTS - 1), pieces.slice(ARN_PARTS - 1).join(':')];
}

export function formatProbeArn(probe: ProbeArn): string {
  return probe.map((part) => (part === ANY_PART ? '*' : part)).join(':');
}
