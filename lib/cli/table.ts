import { oneLine } from '../text';

export type Column<Row> = readonly [title: string, cell: (row: Row) => string];

/**
 * The widest a cell is drawn, in UTF-16 code units: long ARNs and titles are cut with an ellipsis so
 * a row fits a wide terminal, and one megabyte-long field cannot make every line a megabyte wide.
 * The JSON and NDJSON outputs keep values whole.
 */
export const MAX_CELL = 60;
const ELLIPSIS = '…';

/**
 * Left-aligned columns two spaces apart, for the readable outputs of the commands.
 *
 * Every cell and title comes out as one line of printable text (`oneLine`): cells hold event fields,
 * rule titles and file names, which an attacker can fill with terminal escapes or line breaks.
 * Widths are found with a loop, not `Math.max(...cells)`, which overflows the stack past ~120k rows.
 */
export function renderColumns<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string[] {
  const titles = columns.map(([title]) => tableCell(title));
  const widths = titles.map((title) => title.length);
  const cells: string[][] = [];
  for (const row of rows) {
    const line = columns.map(([, cell]) => tableCell(cell(row)));
    for (let i = 0; i < line.length; i++) {
      const length = line[i]?.length ?? 0;
      if (length > (widths[i] ?? 0)) widths[i] = length;
    }
    cells.push(line);
  }
  const render = (row: readonly string[]): string =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const lines = [render(titles)];
  for (const row of cells) lines.push(render(row));
  return lines;
}

/** A value as one table cell: one line, no control character, at most `MAX_CELL` code units. */
export function tableCell(text: string): string {
  // Escaping only lengthens text, so only the first MAX_CELL characters can show: cut before escaping
  // (a 1 MB field costs nothing), then again after, as the escapes may have pushed it past the cap.
  return truncate(oneLine(truncate(text, MAX_CELL + 1)), MAX_CELL);
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - ELLIPSIS.length;
  // Never split a surrogate pair: half an emoji prints as U+FFFD.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}${ELLIPSIS}`;
}
