import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
/** The functions fired by trail deliveries: their cold start is on the alerting path. */
const INGEST_FUNCTIONS = ['s3', 'sns', 'logs', 'eventbridge'];

/** The AWS SDK packages a bundle loads before its handler runs (static imports of externals). */
async function sdkLoadedAtInit(name: string): Promise<string[]> {
  const result = await build({
    entryPoints: [join(ROOT, 'functions', `${name}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // As serverless.yml bundles them: the SDK comes from the Lambda runtime.
    external: ['@aws-sdk/*'],
    write: false,
    logLevel: 'silent',
  });
  const text = result.outputFiles[0]?.text ?? '';
  return [...text.matchAll(/^import .*? from "(@aws-sdk\/[^"]+)"/gm)].map((match) => match[1] ?? '');
}

describe('ingest bundles load no AWS SDK client at init', () => {
  // Each SDK client costs tens of milliseconds of cold start; ingest loads S3 and SNS only on first use.
  for (const name of INGEST_FUNCTIONS) {
    it(`functions/${name}.ts`, async () => {
      expect(await sdkLoadedAtInit(name)).toEqual([]);
    });
  }

  it('the bootstrap function does load its clients at init (the check can fail)', async () => {
    expect(await sdkLoadedAtInit('trail')).toContain('@aws-sdk/client-cloudtrail');
  });
});
