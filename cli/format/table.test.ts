import { describe, expect, it } from "vitest";
import { formatProblems } from "./problems.js";
import { renderTable, truncate } from "./table.js";

describe("renderTable", () => {
  it("aligns columns two spaces apart and trims trailing space", () => {
    expect(
      renderTable(
        ["NAME", "PORT", "OWNER"],
        [
          ["memory", "3102", "agents"],
          ["sequential-thinking", "3104", ""],
        ],
      ),
    ).toBe(
      ["NAME                 PORT  OWNER", "memory               3102  agents", "sequential-thinking  3104"].join("\n"),
    );
  });

  it("right-aligns, truncates and fills missing cells", () => {
    const table = renderTable(["N", "CMD", "X"], [["1", "a-very-long-command", "x"], ["100"]], {
      align: ["right"],
      maxWidth: [undefined, 8],
    });
    expect(table).toBe(["  N  CMD       X", "  1  a-very-…  x", "100"].join("\n"));
  });

  it("truncate keeps short text", () => {
    expect(truncate("abc", 3)).toBe("abc");
    expect(truncate("abcd", 3)).toBe("ab…");
    expect(truncate("abcd", undefined)).toBe("abcd");
  });

  it("formatProblems counts and lists", () => {
    expect(formatProblems(["a", "b"])).toBe("2 problems:\n  - a\n  - b");
    expect(formatProblems(["a"])).toBe("1 problem:\n  - a");
  });
});

describe("renderTable paint", () => {
  it("decorates body cells without counting the decoration towards the width", () => {
    const table = renderTable(["STATE", "N"], [["up", "1"], ["down", "22"]], {
      paint: (text, column, row) => (column === 0 ? `<${row}>${text}</>` : text),
    });
    expect(table).toBe(["STATE  N", "<0>up</>     1", "<1>down</>   22"].join("\n"));
  });
});
