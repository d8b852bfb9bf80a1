/**
 * The part of Grafana's dashboard JSON model (schemaVersion 36+) that provisioning and the plugin importer rely on:
 * a fixed uid, panels with unique integer ids and a gridPos, Prometheus queries with a datasource reference.
 * Not Grafana's full schema; the rest of the model is left open.
 */
const dsRef = {
  type: 'object',
  required: ['type', 'uid'],
  properties: { type: { const: 'prometheus' }, uid: { type: 'string', minLength: 1 } },
};

const link = {
  type: 'object',
  required: ['title', 'url'],
  properties: { title: { type: 'string', minLength: 1 }, url: { type: 'string', minLength: 1 } },
};

const gridPos = {
  type: 'object',
  required: ['h', 'w', 'x', 'y'],
  properties: {
    h: { type: 'integer', minimum: 1 },
    w: { type: 'integer', minimum: 1, maximum: 24 },
    x: { type: 'integer', minimum: 0, maximum: 23 },
    y: { type: 'integer', minimum: 0 },
  },
};

const rowPanel = {
  type: 'object',
  required: ['id', 'type', 'title', 'gridPos', 'panels'],
  properties: { id: { type: 'integer' }, type: { const: 'row' }, gridPos, panels: { type: 'array' } },
};

const queryPanel = {
  type: 'object',
  required: ['id', 'type', 'title', 'gridPos', 'datasource', 'targets', 'fieldConfig', 'links'],
  properties: {
    id: { type: 'integer', minimum: 1 },
    type: { enum: ['timeseries', 'stat', 'bargauge', 'gauge', 'table', 'state-timeline', 'piechart', 'barchart'] },
    title: { type: 'string', minLength: 1 },
    gridPos,
    datasource: dsRef,
    links: { type: 'array', minItems: 1, items: link },
    targets: {
      type: 'array',
      minItems: 1,
      items: { type: 'object', required: ['refId', 'expr', 'datasource'], properties: { refId: { type: 'string' }, expr: { type: 'string', minLength: 1 }, datasource: dsRef } },
    },
    fieldConfig: {
      type: 'object',
      required: ['defaults', 'overrides'],
      properties: { defaults: { type: 'object', properties: { links: { type: 'array', items: link } } }, overrides: { type: 'array' } },
    },
  },
};

export const DASHBOARD_SCHEMA = {
  type: 'object',
  required: ['uid', 'title', 'panels', 'schemaVersion', 'templating', 'links', 'time'],
  properties: {
    uid: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,40}$' },
    title: { type: 'string', minLength: 1 },
    schemaVersion: { type: 'integer', minimum: 36 },
    revision: { type: 'integer', minimum: 1 },
    id: { type: 'null' },
    panels: { type: 'array', minItems: 1, items: { if: { properties: { type: { const: 'row' } } }, then: rowPanel, else: queryPanel } },
    links: { type: 'array', minItems: 1, items: { type: 'object', required: ['title', 'type', 'url'], properties: { type: { const: 'link' } } } },
    templating: { type: 'object', required: ['list'], properties: { list: { type: 'array' } } },
  },
} as const;
