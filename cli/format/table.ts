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
  return lines
    .map((cells) =>
      cells
        .map((cell, i) =>
          (options.align?.[i] ?? "left") === "right" ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
        )
        .join(gap)
        .trimEnd(),
    )
    .join("\n");
}
