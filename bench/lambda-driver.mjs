// One cold start, measured inside a fresh process: import the bundle (config and rules load at
// module init), handle one event, then the same event again warm. Prints one JSON line.
import { readFileSync } from 'node:fs';

const [bundle, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const started = performance.now();
const module = await import(bundle);
const loaded = performance.now();
const first = await module.handler(event, { awsRequestId: 'bench-1' });
const handled = performance.now();
await module.handler(event, { awsRequestId: 'bench-2' });
const warm = performance.now();
process.stderr.write(
  `${JSON.stringify({ initMs: loaded - started, firstEventMs: handled - loaded, coldTotalMs: handled - started, warmEventMs: warm - handled, records: first.recordsRead })}\n`,
);
