import { QUEUE_ACTION_MAX_JOBS } from '@jobscope/contract';

export type CleanState = 'SUCCESS' | 'FAILURE';

export interface CleanForm {
  state: CleanState;
  /** Hours, as typed. */
  olderThanHours: string;
  limit: string;
}

export const CLEAN_DEFAULTS: CleanForm = { state: 'SUCCESS', olderThanHours: '24', limit: '1000' };

export type CleanFormResult =
  | { ok: true; body: { action: 'clean'; state: CleanState; olderThanMs: number; limit: number } }
  | { ok: false; errors: Partial<Record<'olderThanHours' | 'limit', string>> };

const HOUR_MS = 3_600_000;

/** The clean request from the form, or the message of each field that is not valid. */
export function buildCleanRequest(form: CleanForm): CleanFormResult {
  const errors: Partial<Record<'olderThanHours' | 'limit', string>> = {};
  const hours = Number(form.olderThanHours.trim());
  if (form.olderThanHours.trim() === '' || !Number.isFinite(hours) || hours < 0) {
    errors.olderThanHours = 'Enter an age in hours (0 or more)';
  }
  const limit = Number(form.limit.trim());
  if (!Number.isInteger(limit) || limit < 1 || limit > QUEUE_ACTION_MAX_JOBS) {
    errors.limit = `Enter a whole number from 1 to ${QUEUE_ACTION_MAX_JOBS.toLocaleString('en-US')}`;
  }
  if (Object.keys(errors).length > 0) {
    return { ok: false, errors };
  }
  return { ok: true, body: { action: 'clean', state: form.state, olderThanMs: Math.round(hours * HOUR_MS), limit } };
}
