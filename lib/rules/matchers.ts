import { BlockList, isIP } from 'node:net';
import { compileFieldPath, leafText } from './fields';
import type { RuleValue } from './modifiers/types';
import { compileLinearRegex } from './regex';
import { compileStringMatcher } from './sigma-string';

/**
 * Value matchers: one rule value (string, number, regex, CIDR, comparison, field reference…)
 * compiled into a test on the leaves a field path reads from a record.
 */

export type RecordView = Readonly<Record<string, unknown>>;
export type Matcher = (record: RecordView) => boolean;

/** A compiled value: does any of a field's leaves (in `record`) match it? */
export type LeafTest = (leaves: readonly unknown[], record: RecordView) => boolean;

export function compileValue(value: RuleValue, cased: boolean): LeafTest {
  switch (value.kind) {
    case 'string': {
      const matches = compileStringMatcher(value.text, cased);
      return (leaves) => {
        for (const leaf of leaves) {
          const text = leafText(leaf);
          if (text !== undefined && matches(text)) return true;
        }
        return false;
      };
    }
    case 'number':
      return (leaves) =>
        leaves.some(
          (leaf) =>
            leaf === value.value ||
            (typeof leaf === 'string' && leaf.trim() !== '' && Number(leaf) === value.value),
        );
    case 'boolean': {
      const text = String(value.value);
      return (leaves) =>
        leaves.some(
          (leaf) => leaf === value.value || (typeof leaf === 'string' && leaf.toLowerCase() === text),
        );
    }
    case 'null':
      return (leaves) => leaves.length === 0 || leaves.some((leaf) => leaf === null);
    case 'regex': {
      const regex = compileLinearRegex(value.pattern, value.flags);
      return (leaves) =>
        leaves.some((leaf) => {
          const text = leafText(leaf);
          return text !== undefined && regex.test(text);
        });
    }
    case 'cidr': {
      if (value.family === 'ipv4') {
        // Compared as 32-bit numbers: BlockList.check builds a SocketAddress per address it is asked.
        const mask = value.prefix === 0 ? 0 : (0xffffffff << (32 - value.prefix)) >>> 0;
        const network = (ipv4Number(value.network) & mask) >>> 0;
        return (leaves) =>
          leaves.some(
            (leaf) =>
              typeof leaf === 'string' && isIP(leaf) === 4 && (ipv4Number(leaf) & mask) >>> 0 === network,
          );
      }
      const networks = new BlockList();
      networks.addSubnet(value.network, value.prefix, 'ipv6');
      return (leaves) =>
        leaves.some((leaf) => typeof leaf === 'string' && isIP(leaf) === 6 && networks.check(leaf, 'ipv6'));
    }
    case 'compare': {
      const limit = value.value;
      const holds =
        value.op === 'lt'
          ? (n: number) => n < limit
          : value.op === 'lte'
            ? (n: number) => n <= limit
            : value.op === 'gt'
              ? (n: number) => n > limit
              : (n: number) => n >= limit;
      return (leaves) =>
        leaves.some((leaf) => {
          const n =
            typeof leaf === 'number'
              ? leaf
              : typeof leaf === 'string' && leaf.trim() !== ''
                ? Number(leaf)
                : Number.NaN;
          return Number.isFinite(n) && holds(n);
        });
    }
    case 'exists':
      return value.value ? (leaves) => leaves.length > 0 : (leaves) => leaves.length === 0;
    case 'fieldref': {
      const other = compileFieldPath(value.field);
      const fold = (text: string): string => (cased ? text : text.toLowerCase());
      const compare =
        value.startsWith && value.endsWith
          ? (text: string, ref: string) => text.includes(ref)
          : value.startsWith
            ? (text: string, ref: string) => text.startsWith(ref)
            : value.endsWith
              ? (text: string, ref: string) => text.endsWith(ref)
              : (text: string, ref: string) => text === ref;
      return (leaves, record) => {
        const refs = other(record).flatMap((leaf) => {
          const text = leafText(leaf);
          return text === undefined ? [] : [fold(text)];
        });
        if (refs.length === 0) return false;
        // Both sides lowercased whole, once each, as every case-insensitive string test folds.
        return leaves.some((leaf) => {
          const text = leafText(leaf);
          if (text === undefined) return false;
          const folded = fold(text);
          return refs.some((ref) => compare(folded, ref));
        });
      };
    }
  }
}

/** A dotted IPv4 address (one `isIP` accepts: four decimal octets) as an unsigned 32-bit number. */
function ipv4Number(address: string): number {
  let result = 0;
  let octet = 0;
  for (let i = 0; i < address.length; i++) {
    const code = address.charCodeAt(i);
    if (code === 0x2e) {
      result = result * 256 + octet;
      octet = 0;
    } else {
      octet = octet * 10 + (code - 0x30);
    }
  }
  return result * 256 + octet;
}
