/**
 * IPv4 networks are compared as 32-bit numbers rather than through node:net's BlockList: they must
 * agree with BlockList on every address, network and prefix, and on strings that are no address.
 */
import { BlockList } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detects } from '../helpers/rules';

const octet = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 1, 127, 128, 255));
const address = fc.tuple(octet, octet, octet, octet).map((parts) => parts.join('.'));

function blockListSays(ip: string, network: string, prefix: number): boolean {
  const list = new BlockList();
  list.addSubnet(network, prefix, 'ipv4');
  return list.check(ip, 'ipv4');
}

describe('|cidr on IPv4', () => {
  it('agrees with BlockList (property)', () => {
    fc.assert(
      fc.property(
        address,
        address,
        fc.integer({ min: 0, max: 32 }),
        fc.boolean(),
        (ip, network, prefix, near) => {
          // Half the time the address shares the network's first octets, so prefixes near the cut are tried.
          const candidate = near ? `${network.split('.').slice(0, 3).join('.')}.${ip.split('.')[3]}` : ip;
          const detection = {
            selection: { 'sourceIPAddress|cidr': `${network}/${prefix}` },
            condition: 'selection',
          };
          expect(detects(detection, { sourceIPAddress: candidate })).toBe(
            blockListSays(candidate, network, prefix),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('matches nothing that is not a dotted IPv4 address', () => {
    const detection = { selection: { 'sourceIPAddress|cidr': '0.0.0.0/0' }, condition: 'selection' };
    for (const value of [
      'ec2.amazonaws.com',
      '10.0.0',
      '010.0.0.1',
      '1.2.3.4.5',
      '::1',
      '::ffff:10.0.0.1',
      '',
      7,
    ]) {
      expect(detects(detection, { sourceIPAddress: value }), String(value)).toBe(false);
    }
    expect(detects(detection, { sourceIPAddress: '255.255.255.255' })).toBe(true);
  });
});
