import { EnqueueRequestSchema, type EnqueueRequest } from '@jobscope/contract';

export interface RunJobForm {
  queue: string;
  name: string;
  data: string;
  delay: string;
  priority: string;
}

export type FieldErrors = Partial<Record<keyof RunJobForm, string>>;

export type BuildResult = { ok: true; request: EnqueueRequest } | { ok: false; errors: FieldErrors };

const FIELD_OF_PATH: Record<string, keyof RunJobForm> = {
  queue: 'queue',
  name: 'name',
  data: 'data',
  'opts.delay': 'delay',
  'opts.priority': 'priority',
};

function parseInteger(text: string): number | undefined | 'invalid' {
  const trimmed = text.trim();
  if (trimmed === '') {
    return undefined;
  }
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : 'invalid';
}

/** Turns the modal's text fields into a contract-valid request, or per-field messages; nothing is sent when invalid. */
export function buildEnqueueRequest(form: RunJobForm): BuildResult {
  const errors: FieldErrors = {};
  let data: unknown = {};
  if (form.data.trim() !== '') {
    try {
      data = JSON.parse(form.data);
    } catch (e) {
      errors.data = `Not valid JSON: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  const delay = parseInteger(form.delay);
  const priority = parseInteger(form.priority);
  if (delay === 'invalid') {
    errors.delay = 'Delay must be a number of milliseconds';
  }
  if (priority === 'invalid') {
    errors.priority = 'Priority must be a number';
  }
  if (Object.keys(errors).length > 0) {
    return { ok: false, errors };
  }

  const opts: { delay?: number; priority?: number } = {};
  if (typeof delay === 'number') {
    opts.delay = delay;
  }
  if (typeof priority === 'number') {
    opts.priority = priority;
  }
  const candidate = { queue: form.queue, name: form.name.trim(), data, opts };
  const parsed = EnqueueRequestSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = FIELD_OF_PATH[issue.path.map(String).join('.')] ?? FIELD_OF_PATH[String(issue.path[0])] ?? 'data';
      errors[field] ??= issue.message;
    }
    return { ok: false, errors };
  }
  return { ok: true, request: candidate as EnqueueRequest };
}
