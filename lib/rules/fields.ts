/**
 * Field paths into nested records: `userIdentity.sessionContext.sessionIssuer.arn`. A path through
 * an array looks into every element, and a leaf that is an array yields its elements, so that a
 * rule on `resources.ARN` matches if any resource does.
 */
export type FieldGetter = (record: Readonly<Record<string, unknown>>) => unknown[];

const NO_LEAVES: unknown[] = [];

export function compileFieldPath(path: string): FieldGetter {
  const segments = path.split('.');
  // Reused for the common single-leaf result: callers only read it before the next call, and each
  // compiled path has its own, so a field reference never overwrites the leaves it compares with.
  const single: unknown[] = [undefined];
  const general = (record: Readonly<Record<string, unknown>>): unknown[] => {
    let current: unknown[] = [record];
    for (const segment of segments) {
      const next: unknown[] = [];
      for (const node of current) collectChild(node, segment, next);
      if (next.length === 0) return NO_LEAVES;
      current = next;
    }
    return current.flatMap(leaves);
  };
  return (record) => {
    let node: unknown = record;
    for (const segment of segments) {
      if (typeof node !== 'object' || node === null) return NO_LEAVES;
      if (Array.isArray(node)) return general(record);
      node = (node as Record<string, unknown>)[segment];
    }
    if (node === undefined) return NO_LEAVES;
    if (Array.isArray(node)) return leaves(node);
    single[0] = node;
    return single;
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
