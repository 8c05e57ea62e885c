// One cold start, measured inside a fresh process: load the bundle (config and rules load at
// module init), handle one event, then the same event again warm. Prints one JSON line: wall
// times, and CPU times (of the init alone, init plus first event, and the warm event). The bundle
// loads as Lambda's Node.js runtime loads a handler: require() for CommonJS, import() for an ES module.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [bundle, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const cpuAtStart = process.cpuUsage();
const started = performance.now();
const module = bundle.endsWith('.mjs') ? await import(bundle) : createRequire(import.meta.url)(bundle);
const loaded = performance.now();
const initCpu = process.cpuUsage(cpuAtStart);
const first = await module.handler(event, { awsRequestId: 'bench-1' });
const handled = performance.now();
const cold = process.cpuUsage(cpuAtStart);
const cpuAtWarm = process.cpuUsage();
await module.handler(event, { awsRequestId: 'bench-2' });
const warm = performance.now();
const warmCpu = process.cpuUsage(cpuAtWarm);
process.stderr.write(
  `${JSON.stringify({ initMs: loaded - started, firstEventMs: handled - loaded, coldTotalMs: handled - started, coldCpuMs: (cold.user + cold.system) / 1000, initCpuMs: (initCpu.user + initCpu.system) / 1000, firstEventCpuMs: (cold.user + cold.system - initCpu.user - initCpu.system) / 1000, warmCpuMs: (warmCpu.user + warmCpu.system) / 1000, warmEventMs: warm - handled, records: first.recordsRead })}\n`,
);
