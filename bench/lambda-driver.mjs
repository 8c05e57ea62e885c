// One cold start, measured inside a fresh process: load the bundle (config and rules load at
// module init), handle one event, then the same event again warm. Prints one JSON line: wall
// times, and CPU times (of the init alone, init plus first event, and the warm event). The bundle
// loads as Lambda's Node.js runtime loads a handler: require() for CommonJS, import() for an ES module.
//
// Two parts of the cold start are also timed on their own, because neither shows in a CPU profile
// as the code that causes it: garbage collection (everything built at init is live, so every
// scavenge of a cold start copies it again) and loading the AWS SDK from node_modules (the bundle
// leaves @aws-sdk out: Lambda's runtime provides it, and a client is required when first used).
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { PerformanceObserver } from 'node:perf_hooks';

const [bundle, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));

/** Garbage collection pauses, as [start, end] on performance.now()'s clock. */
const gcPauses = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcPauses.push([entry.startTime, entry.startTime + entry.duration]);
});
gcObserver.observe({ entryTypes: ['gc'] });

/** Each outermost require() of an @aws-sdk or @smithy package, as [start, end]. */
const sdkLoads = [];
const SDK_PACKAGE = /^@(aws-sdk|smithy)\//;
let sdkDepth = 0;
// Module._load is what every require() goes through (node:module's own, undocumented but stable
// since Node 0.x); one regular expression test per require is all it adds.
const load = Module._load;
Module._load = function timedLoad(request, ...rest) {
  if (sdkDepth > 0 || !SDK_PACKAGE.test(request)) return load.call(this, request, ...rest);
  sdkDepth++;
  const start = performance.now();
  try {
    return load.call(this, request, ...rest);
  } finally {
    sdkDepth--;
    sdkLoads.push([start, performance.now()]);
  }
};

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

// Node queues GC entries from a native callback and hands them over a turn of the event loop later.
await new Promise((resolve) => setImmediate(resolve));
for (const entry of gcObserver.takeRecords())
  gcPauses.push([entry.startTime, entry.startTime + entry.duration]);
gcObserver.disconnect();
/** Milliseconds of the spans that fall between from and to. */
const within = (spans, from, to) =>
  spans.reduce((sum, [start, end]) => sum + Math.max(0, Math.min(end, to) - Math.max(start, from)), 0);

process.stderr.write(
  `${JSON.stringify({ initMs: loaded - started, firstEventMs: handled - loaded, coldTotalMs: handled - started, coldCpuMs: (cold.user + cold.system) / 1000, initCpuMs: (initCpu.user + initCpu.system) / 1000, firstEventCpuMs: (cold.user + cold.system - initCpu.user - initCpu.system) / 1000, warmCpuMs: (warmCpu.user + warmCpu.system) / 1000, warmEventMs: warm - handled, initGcMs: within(gcPauses, started, loaded), firstEventGcMs: within(gcPauses, loaded, handled), initSdkLoadMs: within(sdkLoads, started, loaded), firstEventSdkLoadMs: within(sdkLoads, loaded, handled), records: first.recordsRead })}\n`,
);
