/**
 * Field paths into nested records: `userIdentity.sessionContext.sessionIssuer.arn`. A path through
 * an array looks into every element, and a leaf that is an array yields its elements, so that a
 * rule on `resources.ARN` matches if any resource does.
 */
export type FieldGetter = (record: Readonly<Record<string, unknown>>) => unknown[];

export function compileFieldPath(path: string): FieldGetter {
  const segments = path.split('.');
  if (segments.length === 1) {
    const key = path;
    return (record) => leaves(record[key]);
  }
  return (record) => {
    let current: unknown[] = [record];
    for (const segment of segments) {
      const next: unknown[] = [];
      for (const node of current) collectChild(node, segment, next);
      if (next.length === 0) return next;
      current = next;
    }
    return current.flatMap(leaves);
  };
}

function collectChild(node: unknown, segment: string, out: unknown[]): void {
  if (Array.isArray(node)) {
    for (const element of node) collectChild(element, segment, out);
    return;
  }
  if (typeof node === 'object' && node !== null && segment in node) {
    out.push((node as Record<string, unknown>)[segment]);
  }
}

/** `undefined` (absent) yields nothing; `null` stays, so `field: null` can tell null from absent. */
function leaves(value: unknown): unknown[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.length === 0 ? [] : value.flatMap((element) => leaves(element));
  return [value];
}

/** The text a string pattern is matched against: objects match on their JSON (Sigma on CloudTrail does). */
export function leafText(leaf: unknown): string | undefined {
  if (typeof leaf === 'string') return leaf;
  if (typeof leaf === 'number' || typeof leaf === 'boolean') return String(leaf);
  if (typeof leaf === 'object' && leaf !== null) return JSON.stringify(leaf);
  return undefined;
}
