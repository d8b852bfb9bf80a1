/**
 * One read shared by everyone who asks within `ttlMs`: concurrent callers wait for the same in-flight load, later
 * callers get its result until it is `ttlMs` old. This is what keeps N dashboards polling every 2 s (or N health
 * probes) at one Redis read per TTL. `load` must not reject: a failure is a result too, and is shared the same way.
 */
export class SharedRead<T> {
  private last: { at: number; value: T } | null = null;
  private inflight: Promise<T> | null = null;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now
  ) {}

  get(load: () => Promise<T>): Promise<T> {
    if (this.last && this.now() - this.last.at < this.ttlMs) {
      return Promise.resolve(this.last.value);
    }
    this.inflight ??= load()
      .then((value) => {
        this.last = { at: this.now(), value };
        return value;
      })
      .finally(() => {
        this.inflight = null;
      });
    return this.inflight;
  }
}
