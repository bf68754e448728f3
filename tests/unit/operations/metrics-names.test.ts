// The dashboard checker's PromQL reader and the Redmine call kinds: what a metric label or a
// dashboard query may contain, with no service started.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { callKind } from '../../../connectors/redmine/transport.js';
import { dashboardExpressions, metricNamesOf, scrapedNames, type Dashboard } from '../../helpers/promql.js';

describe('metricNamesOf', () => {
  it('keeps metric names and drops functions, grouping labels, matchers and ranges', () => {
    expect(
      metricNamesOf(
        'histogram_quantile(0.95, sum by (le, route) (rate(guichet_http_request_duration_seconds_bucket{status_class="5xx", route=~"/a|b"}[$__rate_interval])))',
      ),
    ).toEqual(['guichet_http_request_duration_seconds_bucket']);
    expect(
      metricNamesOf('time() - max(guichet_redmine_last_success_timestamp_seconds{kind="issues_read"}) / on (x) up'),
    ).toEqual(['guichet_redmine_last_success_timestamp_seconds', 'up']);
    expect(metricNamesOf('sum(rate(a_total[5m])) / sum(rate(b_total[5m])) > bool 0.5')).toEqual(['a_total', 'b_total']);
  });

  it('refuses an expression it cannot read', () => {
    expect(() => metricNamesOf('sum(rate(a_total[5m])')).toThrow(/unbalanced/);
    expect(() => metricNamesOf('a{b="c}')).toThrow();
  });

  it('reads the series names of an exposition', () => {
    const text = '# HELP a x\n# TYPE a counter\na_total{k="v"} 1\nb_bucket{le="+Inf"} 2\nc 3\n';
    expect([...scrapedNames(text)]).toEqual(['a_total', 'b_bucket', 'c']);
  });

  it('finds an expression in every panel of the dashboard, each naming at least one metric', () => {
    const dashboard = JSON.parse(
      readFileSync(new URL('../../../docs/grafana-dashboard.json', import.meta.url), 'utf8'),
    ) as Dashboard;
    const expressions = dashboardExpressions(dashboard);
    expect(expressions.length).toBeGreaterThan(15);
    for (const { panel, expr } of expressions)
      expect(metricNamesOf(expr).length, `${panel}: ${expr}`).toBeGreaterThan(0);
    expect(dashboard.__inputs?.[0]?.pluginId).toBe('prometheus');
  });
});

describe('callKind', () => {
  it('names the resource and the direction, never an id or a query', () => {
    expect(callKind('GET', '/issues/123.json')).toBe('issues_read');
    expect(callKind('GET', '/issues.json')).toBe('issues_read');
    expect(callKind('PUT', '/issues/9.json')).toBe('issues_write');
    expect(callKind('POST', '/uploads.json')).toBe('uploads_write');
    expect(callKind('GET', '/attachments/download/5')).toBe('attachments_read');
    expect(callKind('GET', '/whatever/secret-123.json')).toBe('other_read');
    expect(callKind('DELETE', '/')).toBe('other_write');
  });
});
