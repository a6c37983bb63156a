/**
 * Plain-text tables for the CLI: aligned columns, two spaces apart, no dependency.
 *
 *   renderTable(["NAME", "PORT"], [["memory", "3102"]], { align: ["left", "right"] })
 */

export type Align = "left" | "right";

export interface TableOptions {
  /** Alignment per column. @default "left" for every column */
  align?: readonly Align[];
  /** Widest a column may be; longer cells are cut and end with "…". @default unlimited */
  maxWidth?: readonly (number | undefined)[];
  /** Between columns. @default "  " */
  gap?: string;
  /**
   * Decorates a body cell (colour, see `style.ts`) after it was cut and before it is padded, so that ANSI codes do
   * not count towards the column's width. `row` counts the body rows from 0. @default none
   */
  paint?: (text: string, column: number, row: number) => string;
}

/** Cuts `text` to `width` characters, marking the cut with "…". */
export function truncate(text: string, width: number | undefined): string {
  if (width === undefined || text.length <= width) return text;
  return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`;
}

/** Renders a header and rows as aligned columns; trailing spaces are trimmed, missing cells are empty. */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: TableOptions = {},
): string {
  const gap = options.gap ?? "  ";
  const columns = Math.max(header.length, ...rows.map((r) => r.length));
  const cut = (row: readonly string[]) =>
    Array.from({ length: columns }, (_, i) => truncate(row[i] ?? "", options.maxWidth?.[i]));
  const lines = [cut(header), ...rows.map(cut)];
  const widths = Array.from({ length: columns }, (_, i) => Math.max(...lines.map((cells) => cells[i]?.length ?? 0)));
  const pad = (cell: string, i: number, row: number) => {
    const fill = " ".repeat(Math.max(0, (widths[i] ?? 0) - cell.length));
    const text = row >= 0 && options.paint !== undefined && cell !== "" ? options.paint(cell, i, row) : cell;
    return (options.align?.[i] ?? "left") === "right" ? fill + text : text + fill;
  };
  return lines
    .map((cells, line) =>
      cells
        .map((cell, i) => pad(cell, i, line - 1))
        .join(gap)
        .trimEnd(),
    )
    .join("\n");
}
