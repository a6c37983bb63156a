import { describe, expect, it } from "vitest";
import { colorEnabled, styleFor, visibleLength } from "./style.js";

describe("colorEnabled", () => {
  it("is on for a terminal only", () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({}, {})).toBe(false);
  });

  it("is off with NO_COLOR set and not empty, or TERM=dumb", () => {
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: "" })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { TERM: "dumb" })).toBe(false);
  });

  it("follows FORCE_COLOR when set, except that NO_COLOR wins", () => {
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: "1" })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { FORCE_COLOR: "0" })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { FORCE_COLOR: "false" })).toBe(false);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: "1", NO_COLOR: "1" })).toBe(false);
  });
});

describe("styleFor", () => {
  it("leaves text as it is when plain", () => {
    const s = styleFor({ isTTY: false }, {});
    expect([s.ok("a"), s.fail("b"), s.warn("c"), s.green("d"), s.dim("e"), s.bold("f")]).toEqual(["a", "b", "c", "d", "e", "f"]);
  });

  it("adds symbols and ANSI colours on a terminal", () => {
    const s = styleFor({ isTTY: true }, {});
    expect(s.ok("done")).toBe("\u001b[32m✓\u001b[39m done");
    expect(s.fail("bad")).toBe("\u001b[31m✗\u001b[39m bad");
    expect(s.warn("hm")).toBe("\u001b[33m!\u001b[39m hm");
    expect(visibleLength(s.ok("done"))).toBe("✓ done".length);
  });
});
