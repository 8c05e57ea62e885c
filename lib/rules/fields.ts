/**
 * Field paths into nested records: `userIdentity.sessionContext.sessionIssuer.arn`. A path through
 * an array looks into every element, and a leaf that is an array yields its elements, so that a
 * rule on `resources.ARN` matches if any resource does.
 *
 * This is the one reader of field paths: rules match with it, and alerts read their `fields:`,
 * dedup keys and correlation groups with it, so what a rule matched on is what the alert shows.
 * Only a record's own properties are fields: `userIdentity.toString`, `__proto__` or `constructor`
 * name data in the record or nothing, never what Object.prototype holds.
 */
export type FieldGetter = (record: Readonly<Record<string, unknown>>) => unknown[];

const NO_LEAVES: unknown[] = [];

/** The own property `key` of an object, or undefined; never an inherited one. */
function ownValue(node: object, key: string): unknown {
  return Object.hasOwn(node, key) ? Reflect.get(node, key) : undefined;
}

/**
 * A reader for one path, for the hot loop of rule matching. The array it returns may be reused by
 * the next call of the same getter: read it before calling again, never keep it.
 */
export function compileFieldPath(path: string): FieldGetter {
  const segments = path.split('.');
  // Reused for the common single-leaf result: callers only read it before the next call, and each
  // compiled path has its own, so a field reference never overwrites the leaves it compares with.
  const single: unknown[] = [undefined];
  return (record) => {
    let node: unknown = record;
    for (const segment of segments) {
      if (typeof node !== 'object' || node === null) return NO_LEAVES;
      if (Array.isArray(node)) return collectLeaves(record, segments);
      node = ownValue(node, segment);
    }
    if (node === undefined) return NO_LEAVES;
    if (Array.isArray(node)) return leaves(node);
    single[0] = node;
    return single;
  };
}

/** Every value at the path (through arrays, own properties only), in a fresh array. */
export function readField(record: Readonly<Record<string, unknown>>, path: string): unknown[] {
  return collectLeaves(record, path.split('.'));
}

/**
 * The value at the path for display, dedup keys and correlation groups: undefined when absent,
 * the value itself when there is one, the list of values when the path crosses an array and
 * finds several (`resources.ARN` on a record with two resources).
 */
export function readFieldValue(record: Readonly<Record<string, unknown>>, path: string): unknown {
  const found = readField(record, path);
  if (found.length === 0) return undefined;
  return found.length === 1 ? found[0] : found;
}

function collectLeaves(record: Readonly<Record<string, unknown>>, segments: readonly string[]): unknown[] {
  let current: unknown[] = [record];
  for (const segment of segments) {
    const next: unknown[] = [];
    for (const node of current) {
      eachElement(node, (element) => {
        if (typeof element === 'object' && element !== null && Object.hasOwn(element, segment)) {
          next.push(Reflect.get(element, segment));
        }
      });
    }
    if (next.length === 0) return [];
    current = next;
  }
  const found: unknown[] = [];
  for (const node of current) eachElement(node, (leaf) => found.push(leaf));
  return found;
}

/** `undefined` (absent) yields nothing; `null` stays, so `field: null` can tell null from absent. */
function leaves(value: unknown): unknown[] {
  const found: unknown[] = [];
  eachElement(value, (leaf) => found.push(leaf));
  return found;
}

/**
 * Calls `visit` with the value, or with every non-array element of it in order when it is an
 * array, however deeply nested: iterative, so a record of arrays nested thousands deep cannot
 * overflow the stack. `undefined` is absent and never visited.
 */
function eachElement(value: unknown, visit: (element: unknown) => void): void {
  if (!Array.isArray(value)) {
    if (value !== undefined) visit(value);
    return;
  }
  const stack: { readonly items: readonly unknown[]; next: number }[] = [{ items: value, next: 0 }];
  for (let top = stack[0]; top !== undefined; top = stack[stack.length - 1]) {
    if (top.next >= top.items.length) {
      stack.pop();
      continue;
    }
    const item = top.items[top.next++];
    if (Array.isArray(item)) stack.push({ items: item, next: 0 });
    else if (item !== undefined) visit(item);
  }
}

/** The text a string pattern is matched against: objects match on their JSON (Sigma on CloudTrail does). */
export function leafText(leaf: unknown): string | undefined {
  if (typeof leaf === 'string') return leaf;
  if (typeof leaf === 'number' || typeof leaf === 'boolean') return String(leaf);
  if (typeof leaf === 'object' && leaf !== null) return JSON.stringify(leaf);
  return undefined;
}
