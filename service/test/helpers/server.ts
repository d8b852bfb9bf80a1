import http from 'node:http';
import net from 'node:net';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { startServer, type RunningServer } from '../../src/main';
import type { ServiceOptions } from '../../src/service';
import { SHARED_REDIS_URL } from './service';

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

/** The service on a real socket (a free port), its log lines kept in memory for assertions. */
export async function startSocketService(
  env: Record<string, string>,
  options: ServiceOptions = {}
): Promise<RunningServer & { logs: LogLine[]; rawLog: string[] }> {
  const config = loadConfig({
    REDIS_URL: SHARED_REDIS_URL,
    HOST: '127.0.0.1',
    PORT: '0',
    JOBSCOPE_SNAPSHOT_TTL_MS: '0',
    JOBSCOPE_DISCOVERY_INTERVAL_MS: '0',
    ...env,
  });
  const logs: LogLine[] = [];
  const rawLog: string[] = [];
  const logger = pino(
    { level: 'debug' },
    {
      write(line: string) {
        rawLog.push(line);
        logs.push(JSON.parse(line) as LogLine);
      },
    }
  );
  const running = await startServer(config, logger, options);
  return Object.assign(running, { logs, rawLog });
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection after the answer. */
  closed: boolean;
  ms: number;
}

/** Parses the first HTTP answer out of raw bytes. */
export function parseRaw(text: string): Omit<RawAnswer, 'closed' | 'ms'> | null {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) {
    return null;
  }
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4) };
}

/** Writes raw bytes to the server and collects what comes back until the socket closes (or `waitMs`). */
export function rawRequest(port: number, payload: string | Buffer, waitMs = 3000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const parsed = parseRaw(text);
      if (!parsed) {
        reject(new Error(`no HTTP answer (got ${JSON.stringify(text.slice(0, 200))}, closed=${closed})`));
        return;
      }
      resolve({ ...parsed, closed, ms: Date.now() - started });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.write(payload);
  });
}

/** A request through a keep-alive agent; says whether it reused a pooled socket. */
export function agentRequest(
  agent: http.Agent,
  port: number,
  opts: { method?: string; path: string; headers?: Record<string, string | number>; body?: Buffer | string; chunked?: boolean }
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, agent, headers: opts.headers ?? {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, reused: req.reusedSocket }));
        res.on('error', reject);
      }
    );
    req.on('error', reject);
    if (opts.body !== undefined) {
      if (opts.chunked) {
        const buf = Buffer.from(opts.body);
        for (let i = 0; i < buf.length; i += 16 * 1024) {
          req.write(buf.subarray(i, i + 16 * 1024));
        }
      } else {
        req.write(opts.body);
      }
    }
    req.end();
  });
}
