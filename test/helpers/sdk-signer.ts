/**
 * The AWS SDK's SigV4 signer with node:crypto behind it, for tests that check a request signed
 * another way (the direct GetObject's aws4 signature) against the SDK's own.
 */
import { createHash, createHmac } from 'node:crypto';
import type { SourceData } from '@smithy/types';

const bytesOf = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/** The SDK's checksum interface (`sha256` of `SignatureV4`) over node:crypto. */
export class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {}
}

/** The SHA-256 of an empty body, which S3 requests without one sign. */
export const EMPTY_BODY_SHA256 = createHash('sha256').update('').digest('hex');
