import { oneLine } from '../text';

/**
 * A table column: its title, the cell of a row, and optionally the part of that cell that says who
 * acted (a session or user name at an ARN's end, a person's name at a line's start). Shortening
 * never cuts that part: it removes text from the middle of the cell around it.
 */
export type Column<Row> = readonly [
  title: string,
  cell: (row: Row) => string,
  identity?: (row: Row) => string | undefined,
];

/**
 * The widest a cell is drawn, in UTF-16 code units: long ARNs and titles are shortened from the
 * middle (`arn:aws:sts::1111…/alice@example.com`) so a row fits a wide terminal, and one
 * megabyte-long field cannot make every line a megabyte wide. JSON and NDJSON keep values whole.
 */
export const MAX_CELL = 60;
/**
 * The longest identity part kept whole: a role session name (AssumeRole `RoleSessionName`, 2 to 64
 * characters; Identity Center puts the user name there) or an IAM user name (1 to 64).
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_User.html
 */
export const MAX_IDENTITY = 64;
/** What a shortened cell keeps before the ellipsis at least, so the kind of value still shows (`arn:`). */
export const MIN_HEAD = 4;
/** A column is never narrowed below this (or its title, or its widest cell when narrower). */
export const MIN_COLUMN = 8;
const ELLIPSIS = '…';
const GAP = '  ';
/** What a cell holds besides its identity part when shortened: the start, the ellipsis, and a `/` before it. */
const IDENTITY_EXTRA = MIN_HEAD + ELLIPSIS.length + 1;

export interface TableOptions {
  /** The terminal's width: columns are narrowed, widest first, until each line fits (down to each column's minimum). */
  readonly width?: number | undefined;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** The first `count` code units, one fewer rather than half an emoji (which prints as U+FFFD). */
function head(text: string, count: number): string {
  let end = Math.max(0, count);
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
  return text.slice(0, end);
}

/** The last `count` code units, one fewer rather than half an emoji. */
function tail(text: string, count: number): string {
  if (count <= 0) return '';
  let start = text.length - count;
  if (start > 0 && isLowSurrogate(text.charCodeAt(start))) start++;
  return text.slice(start);
}

/** The identity part as the cell shows it (one line), when it is short enough to be kept whole. */
function shownIdentity(identity: string | undefined): string | undefined {
  if (identity === undefined || identity === '') return undefined;
  const shown = oneLine(identity);
  return shown.length <= MAX_IDENTITY ? shown : undefined;
}

/** How wide a cell may be drawn: MAX_CELL, or more to hold its identity part whole. */
function cellCap(identity: string | undefined): number {
  return identity === undefined ? MAX_CELL : Math.max(MAX_CELL, identity.length + IDENTITY_EXTRA);
}

/**
 * `text` in at most `max` code units, shortened from the middle: the start and the end stay. When
 * the text holds `identity` and it fits, all of it stays and the cut is elsewhere.
 */
export function shortenMiddle(text: string, max: number, identity?: string): string {
  if (text.length <= max) return text;
  if (max <= ELLIPSIS.length) return head(text, max);
  const room = max - ELLIPSIS.length;
  if (identity !== undefined && identity.length < room) {
    // Its last occurrence is the one that names who acted (a session name ends its ARN); the start
    // of the text only when it occurs nowhere else (`arn:…/ar` holds `ar` twice).
    const at = text.lastIndexOf(identity);
    if (at === 0) return `${identity}${ELLIPSIS}${tail(text, room - identity.length)}`;
    if (at !== -1) {
      // The identity and what follows it when that fits (`…session alice), console`), else the identity alone.
      // An ARN's `/` before a session name stays with it: `arn:aws:sts::1111…/alice@example.com`.
      const from = at > 0 && text[at - 1] === '/' ? at - 1 : at;
      const rest = text.slice(from);
      const kept = rest.length < room ? rest : identity;
      return `${head(text, room - kept.length)}${ELLIPSIS}${kept}`;
    }
  }
  const front = Math.ceil(room / 2);
  return `${head(text, front)}${ELLIPSIS}${tail(text, room - front)}`;
}

/** A value as one table cell: one line, no control character, shortened from the middle to at most `MAX_CELL` code units. */
export function tableCell(text: string): string {
  return identityCell(text, undefined);
}

/**
 * As `tableCell`, keeping `identity` (who acted) whole when the value holds it: the cell may then be
 * wider than `MAX_CELL`. A function of its own, not an optional argument of `tableCell`, so
 * `names.map(tableCell)` cannot pass an index as the identity.
 */
export function identityCell(text: string, identity: string | undefined): string {
  const kept = shownIdentity(identity);
  const cap = cellCap(kept);
  // Escaping only lengthens text: only its first and last `cap` characters can show. Cut the rest
  // before escaping (a 1 MB field costs nothing), then shorten what the escapes made.
  const bound = cap + 1;
  const clipped = text.length > 2 * bound + 1 ? `${head(text, bound)}${ELLIPSIS}${tail(text, bound)}` : text;
  return shortenMiddle(oneLine(clipped), cap, kept);
}

interface Cell {
  readonly text: string;
  readonly identity?: string;
}

/** The narrowest a cell can be drawn with its identity part whole (and at least MIN_COLUMN, or all of it). */
function cellMinimum(cell: Cell): number {
  const need = cell.identity === undefined ? MIN_COLUMN : cell.identity.length + IDENTITY_EXTRA;
  return Math.min(cell.text.length, Math.max(need, MIN_COLUMN));
}

interface Layout {
  readonly titles: readonly string[];
  readonly cells: readonly (readonly Cell[])[];
  /** Widest cell (or title) of each column. */
  readonly natural: readonly number[];
  /** Narrowest each column can be without cutting a title or an identity part. */
  readonly minimum: readonly number[];
}

function layout<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): Layout {
  const titles = columns.map(([title]) => tableCell(title));
  const natural = titles.map((title) => title.length);
  const minimum = titles.map((title) => title.length);
  const cells: Cell[][] = [];
  // Widths are found with a loop, not `Math.max(...cells)`, which overflows the stack past ~120k rows.
  for (const row of rows) {
    const line = columns.map(([, cell, identity]): Cell => {
      const kept = shownIdentity(identity?.(row));
      const text = identityCell(cell(row), kept);
      return kept !== undefined && text.includes(kept) ? { text, identity: kept } : { text };
    });
    for (let i = 0; i < line.length; i++) {
      const cell = line[i] as Cell;
      if (cell.text.length > (natural[i] ?? 0)) natural[i] = cell.text.length;
      const least = cellMinimum(cell);
      if (least > (minimum[i] ?? 0)) minimum[i] = least;
    }
    cells.push(line);
  }
  return { titles, cells, natural, minimum };
}

/**
 * Column widths within `width`: each column as wide as its widest cell when the line fits; else the
 * widest are narrowed to one common cap (water-filling), never below their minimum.
 */
function fitWidths(
  natural: readonly number[],
  minimum: readonly number[],
  width: number | undefined,
): number[] {
  const gaps = GAP.length * Math.max(0, natural.length - 1);
  const total = (widths: readonly number[]): number => widths.reduce((sum, w) => sum + w, 0) + gaps;
  if (width === undefined || total(natural) <= width) return [...natural];
  const capped = (cap: number): number[] =>
    natural.map((w, i) => Math.max(minimum[i] ?? 0, Math.min(w, cap)));
  if (total(capped(0)) >= width) return capped(0);
  let low = 0;
  let high = Math.max(...natural);
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (total(capped(middle)) <= width) low = middle;
    else high = middle - 1;
  }
  const widths = capped(low);
  // The room left by rounding goes to the columns the cap narrowed, left to right.
  let spare = width - total(widths);
  for (let i = 0; i < widths.length && spare > 0; i++) {
    if ((widths[i] ?? 0) < (natural[i] ?? 0)) {
      widths[i] = (widths[i] ?? 0) + 1;
      spare--;
    }
  }
  return widths;
}

/** The narrowest line these rows can be drawn in without cutting a title or an identity part. */
export function minimumWidth<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): number {
  const { minimum } = layout(rows, columns);
  return minimum.reduce((sum, w) => sum + w, 0) + GAP.length * Math.max(0, minimum.length - 1);
}

/**
 * Left-aligned columns two spaces apart, for the readable outputs of the commands.
 *
 * Every cell and title comes out as one line of printable text (`oneLine`): cells hold event fields,
 * rule titles and file names, which an attacker can fill with terminal escapes or line breaks.
 * Cells too wide are shortened from the middle, keeping each column's identity part whole; with a
 * `width`, columns narrow until the line fits, down to what their titles and identity parts need.
 */
export function renderColumns<Row>(
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  options: TableOptions = {},
): string[] {
  const { titles, cells, natural, minimum } = layout(rows, columns);
  const widths = fitWidths(natural, minimum, options.width);
  const render = (row: readonly Cell[]): string =>
    row
      .map((cell, i) => shortenMiddle(cell.text, widths[i] ?? 0, cell.identity).padEnd(widths[i] ?? 0))
      .join(GAP)
      .trimEnd();
  const lines = [render(titles.map((text) => ({ text })))];
  for (const row of cells) lines.push(render(row));
  return lines;
}

/** The part of an ARN after its last `/` (a session, user or role name), which says who acted. */
export function arnTail(arn: string | null | undefined): string | undefined {
  if (arn === null || arn === undefined) return undefined;
  const slash = arn.lastIndexOf('/');
  return slash === -1 || slash === arn.length - 1 ? undefined : arn.slice(slash + 1);
}

/** The width of the terminal a stream writes to, or undefined for a pipe or file (cells then keep up to MAX_CELL). */
export function terminalWidth(stream: unknown): number | undefined {
  if (typeof stream !== 'object' || stream === null) return undefined;
  if (Reflect.get(stream, 'isTTY') !== true) return undefined;
  const columns: unknown = Reflect.get(stream, 'columns');
  return typeof columns === 'number' && Number.isInteger(columns) && columns > 0 ? columns : undefined;
}
