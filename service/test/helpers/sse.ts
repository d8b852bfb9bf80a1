/** One Server-Sent Event as a browser's EventSource would deliver it. */
export interface SseEvent {
  event: string;
  id: string | null;
  data: string;
  retry: number | null;
  at: number;
}

/**
 * Reads an SSE response body as it arrives (no buffering of the whole reply), for tests: `next()` waits for the next
 * event; comment lines (heartbeats) are counted.
 */
export class SseReader {
  readonly events: SseEvent[] = [];
  comments = 0;
  private buffer = '';
  private waiters: Array<() => void> = [];
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private done = false;

  constructor(res: Response) {
    if (!res.body) {
      throw new Error('response has no body');
    }
    this.reader = res.body.getReader();
    void this.pump();
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await this.reader.read();
        if (done) break;
        this.buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = this.buffer.indexOf('\n\n')) >= 0) {
          this.parse(this.buffer.slice(0, end));
          this.buffer = this.buffer.slice(end + 2);
        }
      }
    } catch {
      // cancelled
    } finally {
      this.done = true;
      this.waiters.splice(0).forEach((w) => w());
    }
  }

  private parse(block: string): void {
    const e: SseEvent = { event: 'message', id: null, data: '', retry: null, at: Date.now() };
    let any = false;
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        this.comments++;
        continue;
      }
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      any = true;
      if (field === 'event') e.event = value;
      else if (field === 'id') e.id = value;
      else if (field === 'data') e.data = e.data ? `${e.data}\n${value}` : value;
      else if (field === 'retry') e.retry = Number(value);
    }
    if (any) {
      this.events.push(e);
      this.waiters.splice(0).forEach((w) => w());
    }
  }

  /** The first event after `index` matching `predicate`, waiting up to `timeoutMs`. */
  async waitFor(predicate: (e: SseEvent) => boolean, timeoutMs = 5000, from = 0): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(predicate);
      if (found) return found;
      if (this.done) throw new Error('stream ended');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms; got ${this.events.map((x) => x.event).join(', ')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }
}
