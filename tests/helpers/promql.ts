// The metric names a PromQL expression reads, for checking a Grafana dashboard against a real
// scrape. A small reader, not a full PromQL parser: it refuses unbalanced brackets and strings,
// drops label matchers, ranges, strings and grouping clauses, and keeps every identifier that is
// not a function, an operator keyword or a number.
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'atan2',
  'inf',
  'nan',
]);

/** Every metric name `expr` reads (series names as exposed: `…_bucket`, `…_count`). */
export function metricNamesOf(expr: string): string[] {
  let depth = 0;
  for (const c of expr.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
    if ('({['.includes(c)) depth++;
    if (')}]'.includes(c)) depth--;
    if (depth < 0) throw new Error(`unbalanced brackets in ${expr}`);
  }
  if (depth !== 0) throw new Error(`unbalanced brackets in ${expr}`);
  if ((expr.match(/"/g)?.length ?? 0) % 2 !== 0) throw new Error(`unterminated string in ${expr}`);
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = match[0];
    const after = bare.slice(match.index + word.length).trimStart();
    if (after.startsWith('(')) continue; // a function or an aggregation
    if (KEYWORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names];
}

/** The series names of a Prometheus text exposition. */
export function scrapedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const name = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(line)?.[0];
    if (name) names.add(name);
  }
  return names;
}

export interface Dashboard {
  __inputs?: Array<{ name: string; type: string; pluginId: string }>;
  panels?: Panel[];
}

interface Panel {
  title?: string;
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}

/** Every PromQL expression of a Grafana dashboard, with its panel's title. */
export function dashboardExpressions(dashboard: Dashboard): Array<{ panel: string; expr: string }> {
  const found: Array<{ panel: string; expr: string }> = [];
  const walk = (panels: Panel[] | undefined) => {
    for (const panel of panels ?? []) {
      for (const target of panel.targets ?? []) {
        if (target.expr) found.push({ panel: panel.title ?? '', expr: target.expr });
      }
      walk(panel.panels);
    }
  };
  walk(dashboard.panels);
  return found;
}
