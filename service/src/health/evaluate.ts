import { worstStatus, type HealthCheck, type HealthResponse, type HealthStatus } from '@jobscope/contract';
import type { QueueStats } from '../sources/source';
import { SERVICE_NAME, SERVICE_VERSION } from '../version';
import type { StatsReading } from './stats-cache';
import { grade, thresholdsFor, type HealthSettings, type QueueThresholds } from './thresholds';

/** The draft allows extra keys; `prefix` tells apart queues of the same name under different prefixes. */
export interface QueueHealthCheck extends HealthCheck {
  prefix: string;
}

export const QUEUE_MEASUREMENTS = ['workers', 'failures', 'backlogAge', 'stalled', 'paused'] as const;
export type QueueMeasurement = (typeof QUEUE_MEASUREMENTS)[number];

export interface QueueHealth {
  status: HealthStatus;
  checks: Record<QueueMeasurement, QueueHealthCheck>;
}

const seconds = (ms: number) => Math.round(ms) / 1000;

export interface ReadingInfo {
  /** ISO time of the reading. */
  time: string;
  windowMs: number;
}

/** Grades one queue's stats against its thresholds. */
export function evaluateQueue(stats: QueueStats, t: QueueThresholds, { time, windowMs }: ReadingInfo): QueueHealth {
  const base = { componentId: stats.name, componentType: 'component' as const, prefix: stats.prefix, time };
  const waiting = stats.waiting;
  const ageS = seconds(stats.oldestWaitingAgeMs);

  let workers: QueueHealthCheck;
  if (stats.workers === 'unknown') {
    workers = { ...base, observedValue: 'unknown', status: 'pass', output: 'the Redis server refuses CLIENT LIST' };
  } else if (stats.workers === 0 && waiting > 0 && !stats.paused) {
    const status = grade(stats.oldestWaitingAgeMs, t.noWorkersMs);
    workers = {
      ...base,
      observedValue: 0,
      status,
      ...(status === 'pass' ? {} : { output: `no worker connected while ${waiting} job(s) wait, oldest for ${ageS} s` }),
    };
  } else {
    workers = { ...base, observedValue: stats.workers, status: 'pass' };
  }

  const failuresStatus = grade(stats.recentFailures, t.failures);
  const failures: QueueHealthCheck = {
    ...base,
    observedValue: stats.recentFailures,
    observedUnit: 'jobs',
    status: failuresStatus,
    ...(failuresStatus === 'pass'
      ? {}
      : { output: `${stats.recentFailures} job(s) failed in the last ${seconds(windowMs)} s` }),
  };

  const backlogStatus = stats.paused ? 'pass' : grade(stats.oldestWaitingAgeMs, t.backlogAgeMs);
  const backlogAge: QueueHealthCheck = {
    ...base,
    observedValue: ageS,
    observedUnit: 's',
    status: backlogStatus,
    ...(stats.paused && waiting > 0 ? { output: 'queue is paused; backlog not graded' } : {}),
    ...(backlogStatus === 'pass' ? {} : { output: `oldest of ${waiting} waiting job(s) has waited ${ageS} s` }),
  };

  // A source that cannot tell stalled jobs apart reports null: shown as unknown, never graded.
  const stalledStatus = stats.stalled === null ? 'pass' : grade(stats.stalled, t.stalled);
  const stalled: QueueHealthCheck = {
    ...base,
    observedValue: stats.stalled ?? 'unknown',
    observedUnit: 'jobs',
    status: stalledStatus,
    ...(stalledStatus === 'pass'
      ? {}
      : { output: `${stats.stalled} of ${stats.stalledChecked} running job(s) checked have lost their worker` }),
  };

  const paused: QueueHealthCheck = {
    ...base,
    observedValue: stats.paused,
    status: stats.paused ? t.paused : 'pass',
    ...(stats.paused && t.paused !== 'pass' ? { output: 'queue is paused' } : {}),
  };

  const checks = { workers, failures, backlogAge, stalled, paused };
  const status = Object.values(checks).reduce<HealthStatus>((s, c) => worstStatus(s, c.status), 'pass');
  return { status, checks };
}

export function queueHealthStatus(stats: QueueStats, settings: HealthSettings, reading: ReadingInfo): HealthStatus {
  return evaluateQueue(stats, thresholdsFor(settings, stats.name), reading).status;
}

/** The `application/health+json` body for a reading, optionally for one queue name only. */
export function buildHealthResponse(reading: StatsReading, settings: HealthSettings, queue?: string): HealthResponse {
  const time = new Date(reading.takenAtMs).toISOString();
  const info: ReadingInfo = { time, windowMs: reading.windowMs };
  const checks: Record<string, HealthCheck[]> = {};
  const add = (key: string, check: HealthCheck) => {
    (checks[key] ??= []).push(check);
  };

  const redisStatus: HealthStatus = reading.redis.ok
    ? grade(reading.redis.latencyMs ?? 0, settings.redisLatencyMs)
    : 'fail';
  add('redis:responseTime', {
    componentId: 'redis',
    componentType: 'datastore',
    observedValue: reading.redis.latencyMs,
    observedUnit: 'ms',
    status: redisStatus,
    time,
    ...(reading.redis.ok ? {} : { output: `Redis unreachable: ${reading.redis.error ?? 'unknown error'}` }),
  });
  if (reading.statsError) {
    add('queues:stats', {
      componentId: 'queues',
      componentType: 'component',
      status: 'fail',
      time,
      output: `queue stats could not be read: ${reading.statsError}`,
    });
  }

  for (const node of reading.unreachable) {
    if (queue !== undefined && !node.queues.some((q) => q.endsWith(`:${queue}`))) {
      continue;
    }
    add('redis:nodes', {
      componentId: node.node ?? 'redis',
      componentType: 'datastore',
      status: 'fail',
      time,
      output: `Redis node ${node.node ?? '(unknown)'} unreachable (${node.queues.length} queue(s): ${node.queues.slice(0, 20).join(', ')}${node.queues.length > 20 ? ', …' : ''}): ${node.error}`,
    });
  }

  for (const stats of reading.queues) {
    if (queue !== undefined && stats.name !== queue) {
      continue;
    }
    const health = evaluateQueue(stats, thresholdsFor(settings, stats.name), info);
    for (const m of QUEUE_MEASUREMENTS) {
      add(`queue/${stats.name}:${m}`, health.checks[m]);
    }
  }

  const all = Object.entries(checks).flatMap(([key, list]) => list.map((c) => ({ key, c })));
  const status = all.reduce<HealthStatus>((s, { c }) => worstStatus(s, c.status), 'pass');
  const problems = all.filter(({ c }) => c.status !== 'pass').map(({ key, c }) => `${key} ${c.status}: ${c.output ?? ''}`);
  return {
    status,
    serviceId: SERVICE_NAME,
    version: SERVICE_VERSION,
    description: queue === undefined ? 'jobscope: Redis and all queues' : `jobscope: Redis and queue "${queue}"`,
    ...(problems.length > 0 ? { output: problems.join('; ') } : {}),
    ...(reading.workers.status === 'unknown' ? { notes: [`workers unknown: ${reading.workers.reason ?? ''}`] } : {}),
    checks,
  };
}
