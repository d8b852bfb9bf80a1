import { HEALTH_CONTENT_TYPE } from '@jobscope/contract';
import { testPrefix } from './helpers/prefix';
import { getJson, startService } from './helpers/service';
import type { Service } from '../src/service';

/** Orchestrator probes and which routes need the read token. Real service on the shared Redis. */
const READ_TOKEN = 'read-token-1234';
const prefix = testPrefix('probes');
let service: Service;

beforeAll(async () => {
  service = await startService({
    JOBSCOPE_PREFIXES: prefix,
    JOBSCOPE_QUEUES: 'one',
    JOBSCOPE_READ_TOKEN: READ_TOKEN,
    JOBSCOPE_API_TOKEN: 'write-token-1234',
  });
});

afterAll(async () => {
  await service?.close();
});

it('/livez answers 200 health+json without a token', async () => {
  const res = await getJson(service, '/livez');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe(HEALTH_CONTENT_TYPE);
  expect(res.body).toMatchObject({ status: 'pass', serviceId: 'jobscope' });
});

it('/readyz answers 200 with the Redis round trip when Redis answers PING, without a token', async () => {
  const res = await getJson(service, '/readyz');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe(HEALTH_CONTENT_TYPE);
  expect(res.body.status).toBe('pass');
  expect(res.body.checks['redis:responseTime'][0]).toMatchObject({ status: 'pass', componentType: 'datastore' });
  expect(res.body.checks['redis:responseTime'][0].observedValue).toBeGreaterThan(0);
});

it.each(['/api/health', '/api/health?queue=one', '/metrics'])('%s needs the read token when one is set', async (path) => {
  const none = await getJson(service, path);
  expect(none.status).toBe(401);
  expect(none.body.error.code).toBe('unauthorized');
  const wrong = await getJson(service, path, { headers: { authorization: 'Bearer nope-nope-nope' } });
  expect(wrong.status).toBe(401);
  for (const token of [READ_TOKEN, 'write-token-1234']) {
    const ok = await service.app.request(path, { headers: { authorization: `Bearer ${token}` } });
    expect({ token, status: ok.status }).toEqual({ token, status: 200 });
  }
});

it('probes answer only GET', async () => {
  const res = await getJson(service, '/livez', { method: 'POST' });
  expect(res.status).toBe(404);
  expect(res.body.error.code).toBe('not_found');
});
