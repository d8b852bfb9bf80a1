import type { MiddlewareHandler } from 'hono';
import { AUDIT_MAX_ENTRIES, type AuditEntry } from '@jobscope/contract';
import type { Logger } from '../logger';
import { isReadMethod } from '../http/auth';

/** What a write handler tells the audit trail about itself (`c.set('audit', …)`). */
export interface AuditNote {
  action: string;
  target: string;
  detail?: string;
}

declare module 'hono' {
  interface ContextVariableMap {
    audit?: AuditNote;
  }
}

/**
 * Every write, newest first, in a bounded ring (and one structured log line each). In memory: it starts empty when
 * the service restarts, and each replica keeps its own.
 */
export class AuditLog {
  private readonly entries: AuditEntry[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly max = AUDIT_MAX_ENTRIES
  ) {}

  record(entry: AuditEntry): void {
    this.entries.unshift(entry);
    if (this.entries.length > this.max) {
      this.entries.length = this.max;
    }
    this.logger.info({ audit: entry }, 'audit');
  }

  newest(limit: number): AuditEntry[] {
    return this.entries.slice(0, limit);
  }
}

/**
 * The Grafana user of a request. Grafana's plugin proxy always sets `X-Grafana-Context` (JSON of the signed-in user)
 * and overwrites whatever the browser sent, so it is trusted only on requests that carried the service token, which
 * only Grafana's proxy has. `X-Grafana-User` (login) is the fallback Grafana sends with `send_user_header`.
 */
export function grafanaUser(header: (name: string) => string | undefined, trusted: boolean): { user: string; role: string | null } {
  if (!trusted) {
    return { user: 'unauthenticated', role: null };
  }
  const context = header('x-grafana-context');
  if (context) {
    try {
      const parsed = JSON.parse(context) as { Login?: unknown; OrgRole?: unknown };
      if (typeof parsed.Login === 'string' && parsed.Login) {
        return { user: parsed.Login, role: typeof parsed.OrgRole === 'string' ? parsed.OrgRole : null };
      }
    } catch {
      // not JSON: fall through
    }
  }
  const login = header('x-grafana-user');
  return login ? { user: login, role: null } : { user: 'token', role: null };
}

/**
 * Records every non-read request of a group after it was answered: the handler's note (action, target) when it got
 * that far, else the method and path; the outcome from the status. Mounted before the token guard, so refused
 * attempts are recorded too.
 */
export function auditWrites(audit: AuditLog): MiddlewareHandler {
  return async (c, next) => {
    if (isReadMethod(c.req.method)) {
      return next();
    }
    await next();
    const note = c.get('audit');
    const status = c.res.status;
    const { user, role } = grafanaUser((n) => c.req.header(n), status !== 401 && status !== 403);
    let detail = note?.detail ?? null;
    if (status >= 400) {
      detail = await c.res
        .clone()
        .json()
        .then((b) => (b as { error?: { message?: string } }).error?.message ?? null)
        .catch(() => null);
    }
    audit.record({
      time: new Date().toISOString(),
      action: note?.action ?? `${c.req.method} ${c.req.path}`,
      target: note?.target ?? c.req.path,
      outcome: status < 400 ? 'ok' : status < 500 ? 'rejected' : 'error',
      status,
      user,
      role,
      detail,
    });
  };
}
