import { isIP } from 'node:net';
import { valueModifier } from './define';
import { ModifierError } from './types';

export const cidrModifier = valueModifier({
  name: 'cidr',
  description: 'the field is an IP address inside this IPv4 or IPv6 network',
  accepts: ['string'],
  expects: 'a network such as 10.0.0.0/8',
  mustComeFirst: true,
  modify: (value) => {
    const [network = '', prefixText] = value.raw.split('/');
    const version = isIP(network);
    const maxPrefix = version === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? maxPrefix : Number(prefixText);
    if (version === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix) {
      throw new ModifierError(
        `${JSON.stringify(value.raw)} is not a CIDR network (such as 10.0.0.0/8 or 2001:db8::/32)`,
      );
    }
    return { kind: 'cidr', network, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
  },
});
