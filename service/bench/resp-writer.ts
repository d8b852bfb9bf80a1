import net from 'node:net';

/**
 * A minimal pipelined Redis writer for the bulk build: commands are RESP-encoded straight into one buffer per batch
 * (several times faster than a client library for a million HSETs). Only for commands whose replies are one line
 * (integers, +OK, nil); an error reply fails the batch.
 */
export class RespWriter {
  private socket: net.Socket | null = null;
  private pending: Array<{ lines: number; resolve: () => void; reject: (e: Error) => void; errors: string[] }> = [];
  private tail = '';
  private failure: Error | null = null;

  constructor(private readonly url: string) {}

  async connect(): Promise<void> {
    const u = new URL(this.url);
    if (u.protocol !== 'redis:') {
      throw new Error(`the bench's bulk writer speaks plain redis:// only, got ${u.protocol}`);
    }
    const socket = net.connect({ host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk.toString('latin1')));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('bulk writer connection closed')));
    this.socket = socket;
    const setup: string[][] = [];
    if (u.password) {
      setup.push(u.username ? ['AUTH', decodeURIComponent(u.username), decodeURIComponent(u.password)] : ['AUTH', decodeURIComponent(u.password)]);
    }
    const db = u.pathname.replace('/', '');
    if (db) {
      setup.push(['SELECT', db]);
    }
    if (setup.length) {
      await this.send(setup.map(encodeCommand).join(''), setup.length);
    }
  }

  /** Writes already-encoded commands (see `encodeCommand`) and resolves when all `count` replies are in. */
  send(payload: string, count: number): Promise<void> {
    if (this.failure) {
      return Promise.reject(this.failure);
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ lines: count, resolve, reject, errors: [] });
      this.socket!.write(payload, 'utf8');
    });
  }

  close(): void {
    this.socket?.removeAllListeners('close');
    this.socket?.end();
  }

  private onData(text: string): void {
    let data = this.tail + text;
    let start = 0;
    for (;;) {
      const end = data.indexOf('\r\n', start);
      if (end < 0) break;
      const head = this.pending[0];
      if (!head) {
        this.fail(new Error('unexpected reply from Redis'));
        return;
      }
      if (data.charCodeAt(start) === 45 /* '-' */) {
        head.errors.push(data.slice(start + 1, end));
      }
      start = end + 2;
      if (--head.lines === 0) {
        this.pending.shift();
        if (head.errors.length) head.reject(new Error(`Redis rejected ${head.errors.length} bulk writes: ${head.errors[0]}`));
        else head.resolve();
      }
    }
    this.tail = data.slice(start);
    data = '';
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.splice(0)) {
      p.reject(err);
    }
  }
}

/** RESP array of bulk strings. */
export function encodeCommand(args: readonly string[]): string {
  let out = `*${args.length}\r\n`;
  for (const a of args) {
    out += `$${Buffer.byteLength(a, 'utf8')}\r\n${a}\r\n`;
  }
  return out;
}
