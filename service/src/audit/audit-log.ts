import type { MiddlewareHandler } from 'hono';
import type { RedisClient } from '../redis/topology';
import { AUDIT_MAX_ENTRIES, type AuditEntry, AuditEntrySchema } from '@jobscope/contract';
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

/** Where `newest` read from: the Redis stream all replicas share, or this process's memory. */
export type AuditScope = 'shared' | 'replica';

/**
 * Every write, newest first (and one structured log line each). With `shared`, entries go to a capped Redis stream
 * (`XADD <key> MAXLEN ~ max`) that every replica on this Redis appends to and reads from, so any replica shows the
 * same trail; this process also keeps its own bounded ring, which answers while that Redis cannot (and is the only
 * store in read-only mode, where the service writes nothing).
 */
export class AuditLog {
  private readonly entries: AuditEntry[] = [];
  private sharedFailing = false;

  constructor(
    private readonly logger: Logger,
    private readonly shared: { redis: RedisClient; key: string } | null = null,
    private readonly max = AUDIT_MAX_ENTRIES
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    this.entries.unshift(entry);
    if (this.entries.length > this.max) {
      this.entries.length = this.max;
    }
    this.logger.info({ audit: entry }, 'audit');
    if (!this.shared) {
      return;
    }
    try {
      await this.shared.redis.xadd(this.shared.key, 'MAXLEN', '~', String(this.max), '*', 'entry', JSON.stringify(entry));
      this.sharedFailing = false;
    } catch (e) {
      // The action itself is done; the entry stays in this replica's ring. Said once per outage, not per write.
      if (!this.sharedFailing) {
        this.logger.warn({ err: e, key: this.shared.key }, 'audit: could not append to the shared audit stream');
      }
      this.sharedFailing = true;
    }
  }

  async newest(limit: number): Promise<{ entries: AuditEntry[]; scope: AuditScope }> {
    if (this.shared) {
      try {
        const rows = await this.shared.redis.xrevrange(this.shared.key, '+', '-', 'COUNT', limit);
        return { entries: rows.flatMap(([, fields]) => parseEntry(fields)), scope: 'shared' };
      } catch {
        // Redis is unreachable: what this replica saw is better than nothing, and says so.
      }
    }
    return { entries: this.entries.slice(0, limit), scope: 'replica' };
  }
}

/** A stream entry's `entry` field as the contract's AuditEntry (anything else under the key is skipped). */
function parseEntry(fields: string[]): AuditEntry[] {
  const raw = fields[fields.indexOf('entry') + 1];
  try {
    const parsed = AuditEntrySchema.safeParse(JSON.parse(raw ?? ''));
    return parsed.success ? [parsed.data] : [];
  } catch {
    return [];
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
    await audit.record({
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
