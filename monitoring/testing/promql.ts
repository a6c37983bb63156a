/**
 * A small PromQL scanner for the contract test: which metric names an expression selects, with which label
 * matchers, and which labels its `by`/`on`/`without`/`ignoring` clauses name. Not a parser: promtool checks syntax.
 */
const KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset", "inf", "nan"]);
const AGGREGATIONS = new Set(["sum", "min", "max", "avg", "count", "group", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values"]);
const GROUPING = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);

export interface Selector {
  metric: string;
  labels: string[];
}

export interface ScannedExpr {
  selectors: Selector[];
  groupingLabels: string[];
}

export function scanPromql(expr: string): ScannedExpr {
  // Blank out string contents so quoted values never look like names.
  const src = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const selectors: Selector[] = [];
  const groupingLabels: string[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === "[") {
      i = src.indexOf("]", i) + 1;
      continue;
    }
    const ident = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(src.slice(i));
    if (ident === null || (i > 0 && /[0-9.$]/.test(src[i - 1]!))) {
      i += ident === null ? 1 : ident[0].length;
      continue;
    }
    const name = ident[0];
    let j = i + name.length;
    while (src[j] === " ") j++;
    if (GROUPING.has(name)) {
      if (src[j] === "(") {
        const close = src.indexOf(")", j);
        groupingLabels.push(...src.slice(j + 1, close).split(",").map((s) => s.trim()).filter(Boolean));
        i = close + 1;
      } else i = j;
      continue;
    }
    if (KEYWORDS.has(name.toLowerCase()) || AGGREGATIONS.has(name) || src[j] === "(") {
      i = j;
      continue;
    }
    const labels: string[] = [];
    if (src[j] === "{") {
      const close = src.indexOf("}", j);
      for (const m of src.slice(j + 1, close).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)) labels.push(m[1]!);
      j = close + 1;
    }
    selectors.push({ metric: name, labels });
    i = j;
  }
  return { selectors, groupingLabels };
}
