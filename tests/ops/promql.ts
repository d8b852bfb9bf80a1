/**
 * Pulls metric names out of PromQL (as written in dashboards and alert rules) without a full parser:
 * strings, label matchers, range selectors and grouping clauses are removed first, then every remaining identifier
 * that is not a keyword, an aggregation or a function call is a metric name.
 */
const KEYWORDS = new Set([
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'and', 'or', 'unless', 'atan2',
  // aggregations (may be followed by `by (...)` before their parenthesis)
  'sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group',
  'limitk', 'limit_ratio',
  'inf', 'nan',
]);

/** Histogram series: `<name>_bucket`, `_sum`, `_count` belong to the histogram `<name>` (by convention a `_seconds` metric). */
export function histogramBase(name: string): string {
  const m = /^(.+_seconds)_(bucket|sum|count)$/.exec(name);
  return m ? m[1] : name;
}

export function metricNames(expr: string): string[] {
  let s = expr
    // Grafana variables and macros ($queue, ${queue}, $__rate_interval, [[var]])
    .replace(/\$\{[^}]*\}/g, ' ')
    .replace(/\$\w+/g, ' ')
    .replace(/\[\[[^\]]*\]\]/g, ' ')
    // string literals
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    // label matchers and range/subquery selectors
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  // grouping / matching label lists: by (a, b), on(), group_left(x) ...
  s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  const ident = /[A-Za-z_:][A-Za-z0-9_:]*/g;
  let m: RegExpExecArray | null;
  while ((m = ident.exec(s))) {
    const name = m[0];
    const before = s[m.index - 1];
    // Part of a number such as 1e3 or a duration such as 5m after `offset`.
    if (before && /[0-9.]/.test(before)) {
      continue;
    }
    const after = s.slice(m.index + name.length);
    if (/^\s*\(/.test(after) || KEYWORDS.has(name.toLowerCase())) {
      continue;
    }
    names.add(name);
  }
  return [...names].sort();
}

/** Metric named in a Grafana Prometheus variable query such as `label_values(bullmq_jobs, queue)`. */
export function variableQueryMetrics(query: string): string[] {
  const lv = /^\s*label_values\(\s*([^,)]+?)\s*,\s*\w+\s*\)\s*$/.exec(query);
  if (lv) {
    return metricNames(lv[1]);
  }
  const qr = /^\s*query_result\((.*)\)\s*$/s.exec(query);
  if (qr) {
    return metricNames(qr[1]);
  }
  const mt = /^\s*metrics\(/.exec(query);
  if (mt) {
    throw new Error(`metrics() variable queries cannot be checked against the contract: ${query}`);
  }
  return metricNames(query);
}
