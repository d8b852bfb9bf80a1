/**
 * One read shared by everyone who asks within `ttlMs`: concurrent callers wait for the same in-flight load, later
 * callers get its result until it is `ttlMs` old. This is what keeps N dashboards polling every 2 s (or N health
 * probes) at one Redis read per TTL. `load` must not reject: a failure is a result too, and is shared the same way.
 */
export class SharedRead<T> {
  private last: { at: number; value: T } | null = null;
  private inflight: Promise<T> | null = null;
  /** Bumped by invalidate(): a load that started before it may not be shared after it. */
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now
  ) {}

  get(load: () => Promise<T>): Promise<T> {
    if (this.last && this.now() - this.last.at < this.ttlMs) {
      return Promise.resolve(this.last.value);
    }
    if (!this.inflight) {
      const generation = this.generation;
      const loading: Promise<T> = load()
        .then((value) => {
          if (generation === this.generation) {
            this.last = { at: this.now(), value };
          }
          return value;
        })
        .finally(() => {
          if (this.inflight === loading) {
            this.inflight = null;
          }
        });
      this.inflight = loading;
    }
    return this.inflight;
  }

  /** Forgets the shared result (after a write changed what it read): the next caller starts a new load. */
  invalidate(): void {
    this.generation++;
    this.last = null;
    this.inflight = null;
  }
}
