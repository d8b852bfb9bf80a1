import { DASHBOARD_DIR, listFiles, readJson, readYaml } from './repo';

/** Everything the ops files contain that other checks walk over: dashboards, rule groups, their queries and links. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  links?: Array<{ url?: string; type?: string }>;
  templating?: { list: Array<Record<string, unknown>> };
  [k: string]: unknown;
}
export interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type?: string; uid?: string };
  targets?: Array<{ refId: string; expr?: string; datasource?: { type?: string; uid?: string } }>;
  links?: Array<{ title: string; url: string }>;
  fieldConfig?: {
    defaults?: { links?: Array<{ title: string; url: string }> };
    overrides?: Array<{ matcher: { id: string; options: unknown }; properties: Array<{ id: string; value: unknown }> }>;
  };
  panels?: Panel[];
  repeat?: string;
}
export interface AlertQuery {
  refId: string;
  datasourceUid: string;
  model: { expr?: string; expression?: string; type?: string; [k: string]: unknown };
}
export interface AlertRule {
  uid: string;
  title: string;
  condition: string;
  data: AlertQuery[];
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  noDataState?: string;
  for?: string;
}
export interface RuleFile {
  apiVersion: number;
  groups?: Array<{ orgId: number; name: string; folder: string; interval: string; rules: AlertRule[] }>;
  [k: string]: unknown;
}

export const dashboardFiles = () => [...listFiles(DASHBOARD_DIR, /\.json$/), ...listFiles('provisioning', /\.json$/)];
export const dashboards = () => dashboardFiles().map((file) => ({ file, dashboard: readJson<Dashboard>(file) }));

/** Top-level panels plus those nested in collapsed rows. */
export function allPanels(d: Dashboard): Panel[] {
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

export const alertingFiles = () => listFiles('provisioning/alerting', /\.ya?ml$/);
export function alertRules(): Array<{ file: string; rule: AlertRule }> {
  return alertingFiles().flatMap((file) =>
    (readYaml<RuleFile>(file).groups ?? []).flatMap((g) => g.rules.map((rule) => ({ file, rule })))
  );
}

export interface Expression {
  where: string;
  expr: string;
  isVariable: boolean;
}

export function dashboardExpressions(): Expression[] {
  return dashboards().flatMap(({ file, dashboard }) => [
    ...allPanels(dashboard).flatMap((p) =>
      (p.targets ?? [])
        .filter((t) => t.expr !== undefined)
        .map((t) => ({ where: `${file} panel ${p.id} "${p.title}" ${t.refId}`, expr: t.expr as string, isVariable: false }))
    ),
    ...(dashboard.templating?.list ?? [])
      .filter((v) => v.type === 'query')
      .map((v) => {
        const q = v.query as string | { query: string };
        return { where: `${file} variable ${String(v.name)}`, expr: typeof q === 'string' ? q : q.query, isVariable: true };
      }),
  ]);
}

export function alertExpressions(): Expression[] {
  return alertRules().flatMap(({ file, rule }) =>
    rule.data
      .filter((q) => q.datasourceUid !== '__expr__')
      .map((q) => ({ where: `${file} rule ${rule.uid} ${q.refId}`, expr: String(q.model.expr), isVariable: false }))
  );
}

/** Every `url` string anywhere in a JSON document, with a path to say where. */
export function urlsIn(node: unknown, path = ''): Array<{ path: string; url: string }> {
  if (Array.isArray(node)) {
    return node.flatMap((n, i) => urlsIn(n, `${path}[${i}]`));
  }
  if (node && typeof node === 'object') {
    return Object.entries(node).flatMap(([k, v]) =>
      k === 'url' && typeof v === 'string' ? [{ path: `${path}.${k}`, url: v }] : urlsIn(v, `${path}.${k}`)
    );
  }
  return [];
}
