/**
 * Headless Chromium for the HTML tests: found on the PATH (or CHROMIUM=/path), run offline with a
 * throw-away profile, to take a screenshot or to measure a page's layout in the browser itself.
 */
import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

function findChromium(): string | undefined {
  const candidates = process.env.CHROMIUM ? [process.env.CHROMIUM] : ['chromium', 'chromium-browser'];
  return candidates.find((command) => spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0);
}
export const CHROMIUM = findChromium();
export const CHROMIUM_SKIP_MESSAGE =
  'chromium not found (apt-get install chromium, or set CHROMIUM): the backtest HTML screenshot tests are skipped';

export interface BrowserWindow {
  readonly width: number;
  readonly height: number;
}
/** Chromium's first start on a cold machine can take several seconds. */
export const BROWSER_TIMEOUT_MS = 60_000;

/** Headless, offline, and leaving nothing behind but the profile folder the test removes. */
function chromiumArgs(profile: string, window: BrowserWindow): string[] {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--headless',
    '--hide-scrollbars',
    '--force-device-scale-factor=1',
    // The screenshot waits for every paint stage and for the page to settle: on a loaded machine
    // a capture taken at the load event has been seen without its text.
    '--run-all-compositor-stages-before-draw',
    '--virtual-time-budget=3000',
    `--user-data-dir=${profile}`,
    `--window-size=${window.width},${window.height}`,
  ];
}

/** Runs in the browser on a copy of the page: what the layout made of it, as URI-encoded JSON. */
const MEASURE = `(() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height }; };
  const figures = [...document.querySelectorAll('figure')].map((figure) => {
    const svg = figure.querySelector('svg');
    return {
      svg: box(svg),
      ticks: [...svg.querySelectorAll('text.tick')].map((t) => t.textContent),
      days: [...svg.querySelectorAll('text.day')].map((t) => ({ text: t.textContent, ...box(t) })),
      bars: [...svg.querySelectorAll('rect')].map((r) => ({ fill: r.getAttribute('fill'), title: r.querySelector('title').textContent, ...box(r) })),
      legend: [...figure.querySelectorAll('.legend li')].map((li) => ({ text: li.textContent, colour: getComputedStyle(li.querySelector('.swatch')).backgroundColor, ...box(li) })),
    };
  });
  const rules = [...document.querySelectorAll('table.rules td.rule')].map((td) => {
    const title = td.childNodes[1];
    const range = document.createRange();
    range.selectNodeContents(title);
    return {
      title: title.textContent,
      id: td.querySelector('.rule-id').textContent,
      colour: getComputedStyle(td.querySelector('.swatch')).backgroundColor,
      width: td.getBoundingClientRect().width,
      titleLines: new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size,
    };
  });
  const measured = {
    figures, rules,
    images: document.querySelectorAll('img').length,
    scripts: document.querySelectorAll('script').length,
    tableOverflow: document.querySelector('div.wide').scrollWidth - document.querySelector('div.wide').clientWidth,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  };
  const pre = document.createElement('pre');
  pre.id = 'measured';
  pre.textContent = encodeURIComponent(JSON.stringify(measured));
  document.body.append(pre);
})();`;

export interface Box {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  readonly width: number;
  readonly height: number;
}
export interface Measured {
  readonly figures: {
    readonly svg: Box;
    readonly ticks: string[];
    readonly days: (Box & { text: string })[];
    readonly bars: (Box & { fill: string; title: string })[];
    readonly legend: (Box & { text: string; colour: string })[];
  }[];
  readonly rules: { title: string; id: string; colour: string; width: number; titleLines: number }[];
  readonly images: number;
  readonly scripts: number;
  /** How far the rules table reaches past its scrolling box: 0 when it fits. */
  readonly tableOverflow: number;
  readonly scrollWidth: number;
  readonly innerWidth: number;
}

function isMeasured(value: unknown): value is Measured {
  return typeof value === 'object' && value !== null && 'figures' in value && 'rules' in value;
}

/** A PNG of `file` as a browser window of that size shows it. */
export async function screenshot(
  file: string,
  png: string,
  window: BrowserWindow,
  profile: string,
): Promise<void> {
  await run(
    CHROMIUM ?? 'chromium',
    [...chromiumArgs(profile, window), `--screenshot=${png}`, `file://${file}`],
    {
      timeout: BROWSER_TIMEOUT_MS,
    },
  );
}

/**
 * What the browser's layout made of `page`: a copy with the measuring script appended is loaded
 * and its DOM dumped (the page itself runs no script).
 */
export async function measure(
  page: string,
  file: string,
  window: BrowserWindow,
  profile: string,
): Promise<Measured> {
  const end = page.lastIndexOf('</body>');
  writeFileSync(file, `${page.slice(0, end)}<script>${MEASURE}</script>${page.slice(end)}`);
  const dump = await run(
    CHROMIUM ?? 'chromium',
    [...chromiumArgs(profile, window), '--dump-dom', `file://${file}`],
    {
      timeout: BROWSER_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const encoded = /<pre id="measured">([^<]*)<\/pre>/.exec(dump.stdout)?.[1];
  if (encoded === undefined) throw new Error(`no measurements in the dumped DOM of ${file}`);
  const measured: unknown = JSON.parse(decodeURIComponent(encoded));
  if (!isMeasured(measured)) throw new Error(`measurements of the wrong shape from ${file}`);
  return measured;
}

/** `#4e79a7` as getComputedStyle writes it: `rgb(78, 121, 167)`. */
export function rgb(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 0xff}, ${(n >> 8) & 0xff}, ${n & 0xff})`;
}
