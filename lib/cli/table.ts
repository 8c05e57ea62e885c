export type Column<Row> = readonly [title: string, cell: (row: Row) => string];

/** Long ARNs and titles are cut so a row fits a wide terminal; the JSON outputs have them whole. */
export const MAX_CELL = 60;

/** Left-aligned columns two spaces apart, for the readable outputs of the commands. */
export function renderColumns<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string[] {
  const cells = rows.map((row) => columns.map(([, cell]) => truncate(cell(row))));
  const widths = columns.map(([title], i) =>
    Math.max(title.length, ...cells.map((row) => (row[i] ?? '').length)),
  );
  const line = (row: readonly string[]): string =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(columns.map(([title]) => title)), ...cells.map(line)];
}

function truncate(text: string): string {
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
}
