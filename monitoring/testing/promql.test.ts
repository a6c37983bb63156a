import { describe, expect, it } from "vitest";
import { scanPromql } from "./promql.js";

describe("scanPromql", () => {
  it("finds selectors with their matchers, skipping functions, keywords, ranges and strings", () => {
    const scanned = scanPromql(
      'histogram_quantile(0.99, sum by (server, le) (rate(mcp_x_bucket{server="$server", outcome=~"a|b"}[$__rate_interval]))) > on (server) group_left () (t:x:y or vector(0.5))',
    );
    expect(scanned.selectors).toEqual([
      { metric: "mcp_x_bucket", labels: ["server", "outcome"] },
      { metric: "t:x:y", labels: [] },
    ]);
    expect(scanned.groupingLabels).toEqual(["server", "le", "server"]);
  });
});
