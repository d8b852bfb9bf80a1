import { z } from 'zod';
import { QueueName, type HealthStatus } from '@jobscope/contract';

/** A check warns at `warn` and fails at `fail` (observed value >= threshold); null turns that level off. */
export interface Level {
  warn: number | null;
  fail: number | null;
}

export interface QueueThresholds {
  /** Jobs failed within the window. */
  failures: Level;
  /** Age of the oldest waiting job, ms. */
  backlogAgeMs: Level;
  /** With no worker connected and jobs waiting: oldest waiting age, ms, at which the workers check warns / fails. */
  noWorkersMs: Level;
  /** Active jobs whose lock is gone. */
  stalled: Level;
  /** Status of a paused queue (its backlog and worker checks are not escalated while paused). */
  paused: HealthStatus;
}

export interface HealthSettings {
  /** Window for "recent" failures and completions, ms (also used by /metrics). */
  windowMs: number;
  /** PING round trip, ms. */
  redisLatencyMs: Level;
  /** Most active jobs per queue whose lock is checked. */
  stalledCheckLimit: number;
  /** How long health and readiness wait for Redis before answering 503. */
  timeoutMs: number;
  /** Queue stats are reused this long by health probes and scrapes. */
  statsTtlMs: number;
  defaults: QueueThresholds;
  /** Per queue name: replaces only the levels given. */
  overrides: Record<string, PartialThresholds>;
}

export type PartialThresholds = {
  [K in keyof QueueThresholds]?: QueueThresholds[K] extends Level ? Partial<Level> : QueueThresholds[K];
};

const STATUS = z.enum(['pass', 'warn', 'fail'], { error: 'must be pass, warn or fail' });

/** Threshold as an env var: a non-negative number, or "off". */
export const envThreshold = (fallback: number | null) =>
  z
    .string()
    .default(fallback === null ? 'off' : String(fallback))
    .transform((s, ctx) => {
      if (s.trim().toLowerCase() === 'off') {
        return null;
      }
      const n = Number(s);
      if (!Number.isFinite(n) || n < 0) {
        ctx.addIssue({ code: 'custom', message: 'must be a number >= 0 or "off"' });
        return z.NEVER;
      }
      return n;
    });

export const envStatus = (fallback: HealthStatus) => STATUS.default(fallback);

const jsonLevel = z.strictObject({
  warn: z.number().min(0).nullable().optional(),
  fail: z.number().min(0).nullable().optional(),
});

const QueueOverrideSchema = z.strictObject({
  failures: jsonLevel.optional(),
  backlogAgeMs: jsonLevel.optional(),
  noWorkersMs: jsonLevel.optional(),
  stalled: jsonLevel.optional(),
  paused: STATUS.optional(),
});

/** `JOBSCOPE_HEALTH_QUEUE_OVERRIDES`: JSON object keyed by queue name, e.g. `{"emails":{"failures":{"warn":5}}}`. */
export const envOverrides = z
  .string()
  .default('{}')
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `must be JSON: ${err instanceof Error ? err.message : String(err)}` });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string(), QueueOverrideSchema))
  .superRefine((overrides, ctx) => {
    for (const name of Object.keys(overrides)) {
      const checked = QueueName.safeParse(name);
      if (!checked.success) {
        ctx.addIssue({ code: 'custom', message: `"${name}": ${checked.error.issues[0].message}` });
      }
    }
  });

function mergeLevel(base: Level, over: Partial<Level> | undefined): Level {
  return {
    warn: over?.warn !== undefined ? over.warn : base.warn,
    fail: over?.fail !== undefined ? over.fail : base.fail,
  };
}

/** Global thresholds with the queue's overrides applied. */
export function thresholdsFor(settings: HealthSettings, queue: string): QueueThresholds {
  const o = Object.hasOwn(settings.overrides, queue) ? settings.overrides[queue] : undefined;
  const d = settings.defaults;
  return {
    failures: mergeLevel(d.failures, o?.failures),
    backlogAgeMs: mergeLevel(d.backlogAgeMs, o?.backlogAgeMs),
    noWorkersMs: mergeLevel(d.noWorkersMs, o?.noWorkersMs),
    stalled: mergeLevel(d.stalled, o?.stalled),
    paused: o?.paused ?? d.paused,
  };
}

/** pass / warn / fail of a value against a level (value >= threshold). */
export function grade(value: number, level: Level): HealthStatus {
  if (level.fail !== null && value >= level.fail) {
    return 'fail';
  }
  if (level.warn !== null && value >= level.warn) {
    return 'warn';
  }
  return 'pass';
}
