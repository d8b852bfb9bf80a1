// The preview's plugin proxy with a Server-Sent Events upstream: streaming like Grafana's (headers flushed at once,
// each event forwarded as it is written, no compression, the upstream closed when the client goes away) and the
// buffering switch (the whole body held until the upstream ends: an SSE stream never arrives).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PluginJson, PluginRoute } from './plugin-dist';
import { type OpenExchange, type ProxyRecord, handlePluginProxy } from './plugin-proxy';
import { PluginSettingsStore } from './plugin-settings';
import { previewUser } from './user';

const ROUTES: PluginRoute[] = [
  { path: 'api/*', method: 'GET', reqRole: 'Viewer', url: '{{ .JsonData.serviceUrl }}/api', headers: [{ name: 'Authorization', content: 'Bearer t' }] },
];

interface UpstreamStream {
  url: string;
  openedAt: number;
  /** When the upstream saw its request's connection close (null: open). */
  closedAt: number | null;
  res: http.ServerResponse;
  acceptEncoding?: string;
}

let upstream: http.Server;
let proxy: http.Server;
let proxyUrl: string;
const streams: UpstreamStream[] = [];
const log: ProxyRecord[] = [];
const open = new Set<OpenExchange>();
let buffer = false;
const settings = new PluginSettingsStore({ id: 'jobscope-jobs-app', type: 'app', name: 'Jobs' } as PluginJson, { jsonData: {}, secureJsonData: {} });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(10);
  }
}

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    const url = req.url ?? '';
    if (url.startsWith('/api/stream')) {
      // An SSE stream that never ends by itself: headers at once, the first event after `delay` ms.
      const s: UpstreamStream = { url, openedAt: Date.now(), closedAt: null, res, acceptEncoding: req.headers['accept-encoding'] as string | undefined };
      streams.push(s);
      res.once('close', () => {
        s.closedAt = Date.now();
      });
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.flushHeaders();
      const delay = Number(new URL(url, 'http://x').searchParams.get('delay') ?? '0');
      setTimeout(() => {
        if (!res.destroyed) {
          res.write('retry: 2000\nevent: snapshot\nid: 1\ndata: {"n":1}\n\n');
        }
      }, delay);
      return;
    }
    if (url.startsWith('/api/chunks')) {
      // A finite body written in three pieces over ~300 ms.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[1,');
      setTimeout(() => res.write('2,'), 150);
      setTimeout(() => res.end('3]'), 300);
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  settings.jsonData = { serviceUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` };
  proxy = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    handlePluginProxy(req, res, u.pathname.replace('/api/plugin-proxy/jobscope-jobs-app/', ''), u.search, {
      pluginId: 'jobscope-jobs-app',
      routes: ROUTES,
      settings,
      user: () => previewUser('Viewer', undefined),
      log,
      buffer: () => buffer,
      open,
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/api/plugin-proxy/jobscope-jobs-app`;
});

afterAll(async () => {
  for (const e of open) {
    e.cut();
  }
  proxy.closeAllConnections();
  upstream.closeAllConnections();
  await new Promise((r) => proxy.close(r));
  await new Promise((r) => upstream.close(r));
});

beforeEach(() => {
  buffer = false;
  streams.length = 0;
});

interface ClientView {
  req: http.ClientRequest;
  /** When the response's headers arrived (null: not yet). */
  headersAt: number | null;
  headers: http.IncomingHttpHeaders | null;
  body: string;
  /** When the first body byte arrived. */
  firstDataAt: number | null;
  endedAt: number | null;
  error: Error | null;
}

/** A raw client (no fetch buffering in between) that records when headers and bytes arrive. */
function get(path: string, headers: http.OutgoingHttpHeaders = {}): ClientView {
  const view: ClientView = { req: undefined as never, headersAt: null, headers: null, body: '', firstDataAt: null, endedAt: null, error: null };
  view.req = http.get(`${proxyUrl}${path}`, { headers, agent: false }, (res) => {
    view.headersAt = Date.now();
    view.headers = res.headers;
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      view.firstDataAt ??= Date.now();
      view.body += c;
    });
    res.on('end', () => (view.endedAt = Date.now()));
    res.on('error', (e) => (view.error = e));
  });
  view.req.on('error', (e) => (view.error = e));
  return view;
}

test('streaming: the first event arrives while the upstream stream is still open, uncompressed, with its headers', async () => {
  const c = get('/api/stream', { accept: 'text/event-stream', 'accept-encoding': 'gzip, deflate, br' });
  await until('the first event', () => c.body.includes('\n\n'));
  expect(c.body).toBe('retry: 2000\nevent: snapshot\nid: 1\ndata: {"n":1}\n\n');
  expect(streams).toHaveLength(1);
  expect(streams[0].closedAt).toBeNull(); // the upstream never ended
  expect(c.endedAt).toBeNull();
  expect(c.headers?.['content-type']).toBe('text/event-stream');
  expect(c.headers?.['content-encoding']).toBeUndefined();
  expect(c.headers?.['content-length']).toBeUndefined();
  const record = log.at(-1)!;
  expect(record).toMatchObject({ status: 200, eventStream: true, closedAt: null, upstreamClosedAt: null });
  expect(record.buffered).toBeUndefined();
  expect(record.bytesOut).toBe(c.body.length);
  expect([...open].map((e) => e.record)).toContain(record);

  // A later event follows at once too.
  streams[0].res.write('event: snapshot\nid: 2\ndata: {"n":2}\n\n');
  await until('the second event', () => c.body.includes('"n":2'));
  c.req.destroy();
  await until('the upstream closing', () => streams[0].closedAt !== null);
});

test('streaming: headers are flushed before the first event', async () => {
  const c = get('/api/stream?delay=600');
  await until('the headers', () => c.headersAt !== null, 500);
  expect(c.firstDataAt).toBeNull();
  await until('the delayed event', () => c.firstDataAt !== null, 2000);
  expect(c.firstDataAt! - c.headersAt!).toBeGreaterThan(300);
  c.req.destroy();
  await until('the upstream closing', () => streams[0].closedAt !== null);
});

test('streaming: a client that goes away closes the upstream request, and the proxy records both', async () => {
  const c = get('/api/stream');
  await until('the first event', () => c.body.includes('\n\n'));
  const record = log.at(-1)!;
  const closedAt = Date.now();
  c.req.destroy();
  await until('the upstream closing', () => streams[0].closedAt !== null, 1000);
  expect(streams[0].closedAt! - closedAt).toBeLessThan(500);
  await until('the records', () => record.closedAt !== null && record.upstreamClosedAt !== null, 1000);
  expect([...open].map((e) => e.record)).not.toContain(record);
});

test('buffer mode: an SSE stream never arrives (not even its headers); closing the client closes the upstream', async () => {
  buffer = true;
  const c = get('/api/stream', { accept: 'text/event-stream' });
  await until('the upstream request', () => streams.length === 1);
  streams[0].res.write('event: snapshot\nid: 2\ndata: {"n":2}\n\n');
  await sleep(700);
  expect(c.headersAt).toBeNull();
  expect(c.body).toBe('');
  const record = log.at(-1)!;
  expect(record).toMatchObject({ buffered: true, eventStream: true, bytesOut: 0, closedAt: null });
  c.req.destroy();
  await until('the upstream closing', () => streams[0].closedAt !== null, 1000);
  await until('the record', () => record.closedAt !== null);
});

test('buffer mode: a finite body arrives whole once the upstream ended, with its length', async () => {
  buffer = true;
  const sentAt = Date.now();
  const c = get('/api/chunks');
  await until('the response', () => c.endedAt !== null, 3000);
  expect(c.body).toBe('[1,2,3]');
  expect(c.headers?.['content-length']).toBe('7');
  // Nothing before the upstream's last piece (written ~300 ms after the request).
  expect(c.headersAt! - sentAt).toBeGreaterThanOrEqual(250);
  expect(c.firstDataAt! - c.headersAt!).toBeLessThan(100);
  expect(log.at(-1)).toMatchObject({ status: 200, buffered: true, bytesOut: 7 });

  // The same body streamed: the first piece comes long before the end.
  buffer = false;
  const s = get('/api/chunks');
  await until('the streamed response', () => s.endedAt !== null, 3000);
  expect(s.body).toBe('[1,2,3]');
  expect(s.endedAt! - s.firstDataAt!).toBeGreaterThanOrEqual(200);
});

test('cut(): an open stream is destroyed on both sides (as a proxy restart would)', async () => {
  const c = get('/api/stream');
  await until('the first event', () => c.body.includes('\n\n'));
  const exchanges = [...open].filter((e) => e.record.closedAt === null && e.record.eventStream);
  expect(exchanges).toHaveLength(1);
  exchanges[0].cut();
  await until('the client seeing the cut', () => c.error !== null || c.endedAt !== null, 1000);
  await until('the upstream closing', () => streams[0].closedAt !== null, 1000);
  expect(open.size).toBe(0);
});
