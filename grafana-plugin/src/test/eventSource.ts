/**
 * A fake `EventSource` for jest (jsdom has none): records every instance, its URL and `close()` calls; a test drives
 * it with `emit` (a named event with a JSON payload) and `fail` (an error, as a dropped or refused connection).
 */
export class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static instances: FakeEventSource[] = [];

  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSED = 2;
  readyState = 0;
  closeCalls = 0;
  withCredentials: boolean;
  private listeners = new Map<string, Set<(e: Event) => void>>();

  constructor(
    readonly url: string,
    init?: EventSourceInit
  ) {
    this.withCredentials = init?.withCredentials ?? false;
    FakeEventSource.instances.push(this);
  }

  addEventListener(type: string, listener: (e: Event) => void): void {
    if (!this.listeners.has(type)) {
      this.listeners.set(type, new Set());
    }
    this.listeners.get(type)!.add(listener);
  }

  removeEventListener(type: string, listener: (e: Event) => void): void {
    this.listeners.get(type)?.delete(listener);
  }

  close(): void {
    this.closeCalls++;
    this.readyState = 2;
  }

  get closed(): boolean {
    return this.readyState === 2;
  }

  /** Delivers a named event (`snapshot`, `stale`) whose data is `data` as JSON (a string is sent as is). */
  emit(type: string, data: unknown): void {
    if (this.closed) {
      throw new Error(`emit on a closed EventSource (${this.url})`);
    }
    this.readyState = 1;
    const event = new MessageEvent(type, { data: typeof data === 'string' ? data : JSON.stringify(data) });
    this.listeners.get(type)?.forEach((l) => l(event));
  }

  /** An error: `closed` as a browser does for a refused stream (non-200), else it is reconnecting. */
  fail({ closed = false }: { closed?: boolean } = {}): void {
    this.readyState = closed ? 2 : 0;
    this.listeners.get('error')?.forEach((l) => l(new Event('error')));
  }

  /** Instances not closed. */
  static open(): FakeEventSource[] {
    return FakeEventSource.instances.filter((s) => !s.closed);
  }

  static latest(): FakeEventSource {
    const last = FakeEventSource.instances.at(-1);
    if (!last) {
      throw new Error('no EventSource was opened');
    }
    return last;
  }
}

/** Installs FakeEventSource as the global EventSource; `restore()` removes it again. */
export function installFakeEventSource(): { restore: () => void } {
  FakeEventSource.instances = [];
  const g = globalThis as { EventSource?: unknown };
  const had = 'EventSource' in g;
  const previous = g.EventSource;
  g.EventSource = FakeEventSource;
  return {
    restore: () => {
      FakeEventSource.instances = [];
      if (had) {
        g.EventSource = previous;
      } else {
        delete g.EventSource;
      }
    },
  };
}
