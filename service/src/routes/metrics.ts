import { Hono } from 'hono';
import type { ServiceMetrics } from '../metrics/metrics';

/** `GET /metrics`: Prometheus text format; always 200 while the process runs (Redis state is in the metrics). */
export function metricsRoutes(metrics: ServiceMetrics): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    const text = await metrics.registry.metrics();
    return c.body(text, 200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' });
  });
  return app;
}
