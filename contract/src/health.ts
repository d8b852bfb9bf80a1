/**
 * `application/health+json` (IETF draft-inadarei-api-health-check): pass and warn answer 200, fail answers 503.
 */
export type HealthStatus = 'pass' | 'warn' | 'fail';

export interface HealthCheck {
  componentId?: string;
  componentType?: 'component' | 'datastore' | 'system';
  observedValue?: number | string | boolean | null;
  observedUnit?: string;
  status: HealthStatus;
  time?: string;
  output?: string;
  affectedEndpoints?: string[];
  links?: Record<string, string>;
}

export interface HealthResponse {
  status: HealthStatus;
  serviceId: string;
  version?: string;
  description?: string;
  output?: string;
  notes?: string[];
  checks: Record<string, HealthCheck[]>;
}

export const HEALTH_CONTENT_TYPE = 'application/health+json';

/** The worse of two statuses. */
export function worstStatus(a: HealthStatus, b: HealthStatus): HealthStatus {
  const order: HealthStatus[] = ['pass', 'warn', 'fail'];
  return order[Math.max(order.indexOf(a), order.indexOf(b))];
}
