import { lastValueFrom } from 'rxjs';
import { getBackendSrv, isFetchError } from '@grafana/runtime';
import {
  API_PATHS,
  AuditEntrySchema,
  EnqueueResponseSchema,
  ErrorBodySchema,
  JobActionResponseSchema,
  JobDetailSchema,
  JobLogPageSchema,
  SearchResponseSchema,
  QueueActionResponseSchema,
  StatusResponseSchema,
  jobPath,
  jobRefOf,
  proxyUrl,
  queueActionPath,
  type AuditEntry,
  type EnqueueRequest,
  type EnqueueResponse,
  type ExportFormat,
  type ErrorBody,
  type HealthResponse,
  type JobAction,
  type JobActionResponse,
  type JobDetail,
  type JobLogPageResponse,
  type JobRef,
  type JobState,
  type QueueAction,
  type QueueActionResponse,
  type QueueAddress,
  type SearchResponse,
  type StatusResponse,
} from '@jobscope/contract';

/**
 * Why a call failed, as the UI tells it apart:
 * - `unreachable`: the service did not answer (network error, or Grafana's proxy answered 502/504 for it);
 * - `redis`: the service answered 503 with an ErrorBody (Redis down and no snapshot to fall back to);
 * - `rejected`: the service answered with another error (bad token, validation, unknown queue...).
 */
export type ServiceErrorKind = 'unreachable' | 'redis' | 'rejected';

export class ServiceError extends Error {
  constructor(
    message: string,
    readonly kind: ServiceErrorKind,
    readonly status: number | null,
    readonly body: ErrorBody | null = null
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

const UNREACHABLE_STATUSES = new Set([0, -1, 502, 504]);

export function toServiceError(e: unknown): ServiceError {
  if (e instanceof ServiceError) {
    return e;
  }
  if (isFetchError(e)) {
    const status = typeof e.status === 'number' ? e.status : null;
    const parsed = ErrorBodySchema.safeParse(e.data);
    const body = parsed.success ? parsed.data : null;
    if (status === null || UNREACHABLE_STATUSES.has(status)) {
      return new ServiceError(
        `Jobs service unreachable${status ? ` (HTTP ${status})` : ''}`,
        'unreachable',
        status,
        body
      );
    }
    if (status === 503 && body) {
      return new ServiceError(body.error.message, 'redis', status, body);
    }
    const message = body?.error.message ?? (e.data as { message?: string } | undefined)?.message ?? e.statusText;
    return new ServiceError(message || `HTTP ${status}`, 'rejected', status, body);
  }
  const message = e instanceof Error ? e.message : String(e);
  return new ServiceError(message, 'unreachable', null);
}

interface Call {
  url: string;
  method?: 'GET' | 'POST';
  params?: Record<string, string | number>;
  data?: unknown;
  /** An error reply that is an answer for this route (e.g. the health route's 503 health document). */
  acceptError?: (status: number, data: unknown) => boolean;
}

/** The one way the plugin calls the service: through Grafana's proxy, no toasts, failures as ServiceError. */
async function call<T>({ url, method = 'GET', params, data, acceptError }: Call): Promise<{ data: T; status: number }> {
  try {
    const res = await lastValueFrom(
      // showErrorAlert: a failed 2 s poll must not raise a Grafana toast; the page shows its own banner.
      getBackendSrv().fetch<T>({ url, method, params, data, showErrorAlert: false, showSuccessAlert: false })
    );
    return { data: res.data, status: res.status };
  } catch (e) {
    if (isFetchError(e) && typeof e.status === 'number' && acceptError?.(e.status, e.data)) {
      return { data: e.data as T, status: e.status };
    }
    throw toServiceError(e);
  }
}

/** The part of a zod schema used here (zod itself is the contract's dependency, not ours). */
interface Schema<T> {
  safeParse(
    value: unknown
  ):
    { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } };
}

/** Replies are checked against the contract so a mismatch shows as one clear error instead of a broken table. */
function parseOrThrow<T>(schema: Schema<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const first = r.error.issues[0];
    const where = first ? `${first.path.map(String).join('.')}: ${first.message}` : 'invalid';
    throw new ServiceError(`The ${what} reply does not match the contract (${where})`, 'rejected', null);
  }
  return r.data;
}

export interface StatusFilter {
  /** One queue name, or several as a comma list. */
  queue?: string;
  state?: JobState;
  /** Exact job name. */
  name?: string;
  /** Epoch ms or ISO time (finished jobs by finish time, others by creation time). */
  from?: string;
  to?: string;
  /** `nextCursor` of the previous page (single-state views only). */
  cursor?: string;
  limit?: number;
}

const STATUS_PARAMS = ['limit', 'queue', 'state', 'name', 'from', 'to', 'cursor'] as const;

/** The query parameters of a status filter, unset ones left out. */
export function statusParams(filter: StatusFilter = {}): Record<string, string | number> {
  const params: Record<string, string | number> = {};
  for (const key of STATUS_PARAMS) {
    const value = filter[key];
    if (value !== undefined && value !== '') {
      params[key] = value;
    }
  }
  return params;
}

function queryString(params: Record<string, string | number>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** Checks a status payload (a poll's reply or a pushed snapshot) against the contract. */
export function parseStatusResponse(value: unknown): StatusResponse {
  return parseOrThrow(StatusResponseSchema, value, 'status');
}

export async function fetchStatus(filter: StatusFilter = {}): Promise<StatusResponse> {
  const { data } = await call<unknown>({ url: proxyUrl(API_PATHS.status), params: statusParams(filter) });
  return parseStatusResponse(data);
}

/**
 * URL of the live stream (Server-Sent Events) of a status view, through the plugin proxy: the status route's filters,
 * never a cursor (a stream follows the first page of a view).
 */
export function statusStreamUrl(filter: StatusFilter = {}): string {
  return proxyUrl(API_PATHS.stream) + queryString(statusParams({ ...filter, cursor: undefined }));
}

export interface ExportRequest {
  format: ExportFormat;
  /** Most jobs in the file (the service's default 10,000, at most 100,000). */
  max: number;
  filter: StatusFilter;
}

/** URL of a download of a view (`GET /api/jobs/export`), through the plugin proxy: its filters, format and max. */
export function exportUrl({ format, max, filter }: ExportRequest): string {
  const params = statusParams({ ...filter, cursor: undefined, limit: undefined });
  return proxyUrl(API_PATHS.export) + queryString({ format, ...params, max });
}

/** The service's message in an error reply (an ErrorBody), else a description of the HTTP status. */
export function serviceErrorOfReply(status: number, body: unknown, statusText = ''): ServiceError {
  const parsed = ErrorBodySchema.safeParse(body);
  const errorBody = parsed.success ? parsed.data : null;
  if (UNREACHABLE_STATUSES.has(status)) {
    return new ServiceError(`Jobs service unreachable (HTTP ${status})`, 'unreachable', status, errorBody);
  }
  const message = errorBody?.error.message ?? (body as { message?: string } | null | undefined)?.message ?? statusText;
  return new ServiceError(
    message || `HTTP ${status}`,
    status === 503 && errorBody ? 'redis' : 'rejected',
    status,
    errorBody
  );
}

/** `GET /api/jobs/<jobKey>`: the job's detail (404 `job_not_found` once it is gone). */
export async function fetchJobDetail(ref: JobRef): Promise<JobDetail> {
  const { data } = await call<unknown>({ url: proxyUrl(jobPath(jobRefOf(ref))) });
  return parseOrThrow(JobDetailSchema, data, 'job detail');
}

/** `GET /api/jobs/<jobKey>/logs?offset=&limit=`: one page of the job's log lines, oldest first. */
export async function fetchJobLogs(ref: JobRef, offset: number, limit: number): Promise<JobLogPageResponse> {
  const { data } = await call<unknown>({ url: proxyUrl(jobPath(jobRefOf(ref), 'logs')), params: { offset, limit } });
  return parseOrThrow(JobLogPageSchema, data, 'job logs');
}

export interface SearchParams {
  q: string;
  /** Comma list of queue names. */
  queue?: string;
  state?: JobState;
  limit?: number;
  window?: number;
}

/** `GET /api/jobs/search?q=`: an exact id across queues, else text in name, data, result or error. */
export async function searchJobs(search: SearchParams): Promise<SearchResponse> {
  const params: Record<string, string | number> = { q: search.q };
  for (const key of ['queue', 'state', 'limit', 'window'] as const) {
    const value = search[key];
    if (value !== undefined && value !== '') {
      params[key] = value;
    }
  }
  const { data } = await call<unknown>({ url: proxyUrl(API_PATHS.search), params });
  return parseOrThrow(SearchResponseSchema, data, 'search');
}

/** True when the service says the job does not exist (any more). */
export function isJobNotFound(error: ServiceError | null | undefined): boolean {
  return !!error && error.status === 404 && (!error.body || error.body.error.code === 'job_not_found');
}

export async function enqueueJob(request: EnqueueRequest): Promise<EnqueueResponse> {
  const { data } = await call<unknown>({ url: proxyUrl(API_PATHS.jobs), method: 'POST', data: request });
  return parseOrThrow(EnqueueResponseSchema, data, 'enqueue');
}

export interface HealthResult {
  /** HTTP status of the reply: 200 for pass/warn, 503 for fail. */
  httpStatus: number;
  health: HealthResponse;
}

function looksLikeHealth(value: unknown): value is HealthResponse {
  const status = (value as { status?: unknown } | null)?.status;
  return status === 'pass' || status === 'warn' || status === 'fail';
}

/** The health route answers 503 with a health document when failing; that is a result, not an error. */
export async function fetchHealth(): Promise<HealthResult> {
  const { data, status } = await call<unknown>({
    url: proxyUrl(API_PATHS.health),
    acceptError: (code, body) => code === 503 && looksLikeHealth(body),
  });
  if (!looksLikeHealth(data)) {
    throw new ServiceError('The health reply is not a health document', 'rejected', status);
  }
  return { httpStatus: status, health: data };
}

/** Optional bodies of the job actions: only cancel takes one (`{reason}`). */
export interface JobActionOptions {
  reason?: string;
}

/** `POST /api/jobs/<jobKey>/<action>`: the reply carries the job after the action (null once removed). */
export async function runJobAction(
  job: JobRef,
  action: JobAction,
  options: JobActionOptions = {}
): Promise<JobActionResponse> {
  const reason = options.reason?.trim();
  const { data } = await call<unknown>({
    url: proxyUrl(jobPath(jobRefOf(job), action)),
    method: 'POST',
    data: action === 'cancel' && reason ? { reason } : undefined,
  });
  return parseOrThrow(JobActionResponseSchema, data, `${action}`);
}

/** Bodies of the queue actions (pause and resume take none). */
export type QueueActionBody =
  | { action: 'pause' }
  | { action: 'resume' }
  | { action: 'retry-failed'; limit: number }
  | { action: 'clean'; state: 'SUCCESS' | 'FAILURE'; olderThanMs: number; limit: number };

/** `POST /api/queues/<queueKey>/<action>`: the reply says how many jobs were touched and whether it is paused. */
export async function runQueueAction(queue: QueueAddress, body: QueueActionBody): Promise<QueueActionResponse> {
  const { action, ...rest } = body;
  const address = { source: queue.source, prefix: queue.prefix, name: queue.name };
  const { data } = await call<unknown>({
    url: proxyUrl(queueActionPath(address, action satisfies QueueAction)),
    method: 'POST',
    data: Object.keys(rest).length > 0 ? rest : undefined,
  });
  return parseOrThrow(QueueActionResponseSchema, data, `${action}`);
}

/** `GET /api/audit?limit=`: the newest writes first. */
export async function fetchAudit(limit: number): Promise<AuditEntry[]> {
  const { data } = await call<unknown>({ url: proxyUrl(API_PATHS.audit), params: { limit } });
  const entries = (data as { entries?: unknown } | null)?.entries;
  if (!Array.isArray(entries)) {
    throw new ServiceError(
      'The audit reply does not match the contract (entries: expected an array)',
      'rejected',
      null
    );
  }
  return entries.map((entry, i) => {
    try {
      return parseOrThrow(AuditEntrySchema, entry, 'audit');
    } catch (e) {
      throw new ServiceError(`${(e as Error).message} (entry ${i})`, 'rejected', null);
    }
  });
}
