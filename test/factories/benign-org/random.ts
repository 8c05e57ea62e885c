/**
 * A seeded pseudo-random source for the benign organisation: the same seed gives the same trail,
 * byte for byte, so noise figures and test failures can be reproduced.
 */

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';

export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: small, fast and well spread; not for secrets, only for reproducible data. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  private chars(alphabet: string, length: number): string {
    let text = '';
    for (let i = 0; i < length; i++) text += alphabet[Math.floor(this.next() * alphabet.length)];
    return text;
  }

  hex(length: number): string {
    return this.chars(HEX, length);
  }

  alnum(length: number): string {
    return this.chars(ALNUM, length);
  }

  /** A version 4 UUID, as CloudTrail writes eventID and most requestIDs. */
  uuid(): string {
    const variant = HEX[8 + Math.floor(this.next() * 4)];
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${variant}${this.hex(3)}-${this.hex(12)}`;
  }

  /** An access key id of temporary credentials (`ASIA…`, 20 characters). */
  sessionKeyId(): string {
    return `ASIA${this.chars(UPPER_ALNUM, 16)}`;
  }

  /** A unique id of an IAM role (`AROA…`, 21 characters). */
  roleId(): string {
    return `AROA${this.chars(UPPER_ALNUM, 17)}`;
  }

  /** An S3 request id (16 upper-case characters). */
  s3RequestId(): string {
    return this.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 16);
  }
}
