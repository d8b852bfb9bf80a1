import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Logger } from '../logger';
import { errorBody } from './errors';

/** The socket side of the service: timeouts, early rejections and parser errors (README "Reliability"). */
export interface HttpServerOptions {
  host: string;
  port: number;
  logger: Logger;
  /** Longest time to receive a request's headers (slowloris); Node default 60 s. */
  headersTimeoutMs: number;
  /** Longest time to receive a whole request, body included (not the response: event streams stay open). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** An answer sent before the body was read waits this long for the rest of the body (then `Connection: close`). */
  drainTimeoutMs?: number;
  /** …and reads at most this many more bytes of it. */
  drainMaxBytes?: number;
}

export interface HttpServer {
  server: http.Server;
  /** `http://host:port` the server listens on (the real port when `port` was 0). */
  url: string;
  port: number;
  /** From now on every answer says `Connection: close` (shutdown: keep-alive clients reconnect elsewhere). */
  beginClose(): void;
}

const DRAIN_TIMEOUT_MS = 1000;
const DRAIN_MAX_BYTES = 1024 * 1024;

type Env = { incoming?: IncomingMessage; outgoing?: ServerResponse };

/**
 * Reads and discards the rest of a request body the app did not read (an early 401/413/415), so the connection can
 * carry the next request. Resolves false when the body is longer than `maxBytes` or slower than `ms`.
 */
function drainBody(incoming: IncomingMessage, maxBytes: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    let bytes = 0;
    const done = (ok: boolean) => {
      clearTimeout(timer);
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onFail);
      incoming.off('close', onClose);
      resolve(ok);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        done(false);
        return;
      }
      // A body stream the app started reading (hono's bodyLimit) pauses the socket on back-pressure: keep it flowing.
      if (incoming.isPaused()) {
        incoming.resume();
      }
    };
    const onEnd = () => done(true);
    const onFail = () => done(false);
    const onClose = () => done(incoming.complete);
    const timer = setTimeout(() => done(false), ms);
    timer.unref();
    incoming.on('data', onData);
    incoming.once('end', onEnd);
    incoming.once('error', onFail);
    incoming.once('close', onClose);
    incoming.resume();
  });
}

const PARSER_ERRORS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'request headers (or URL) are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request not received in time'],
  HPE_INVALID_METHOD: [400, 'malformed request: unknown or invalid HTTP method'],
  HPE_INVALID_URL: [400, 'malformed request: invalid request target'],
  HPE_INVALID_CONTENT_LENGTH: [400, 'malformed request: invalid Content-Length'],
  HPE_UNEXPECTED_CONTENT_LENGTH: [400, 'malformed request: Content-Length together with Transfer-Encoding'],
  HPE_INVALID_TRANSFER_ENCODING: [400, 'malformed request: invalid Transfer-Encoding'],
  HPE_INVALID_HEADER_TOKEN: [400, 'malformed request: invalid header'],
  HPE_INVALID_VERSION: [400, 'malformed request: unsupported HTTP version'],
};

/** A complete HTTP/1.1 answer with the project's JSON error body, for places below the app (parser, CONNECT). */
export function rawJsonError(status: number, message: string, extraHeaders: Record<string, string> = {}): string {
  const body = JSON.stringify(errorBody('http_error', message));
  const headers = {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'SAMEORIGIN',
    Connection: 'close',
    ...extraHeaders,
  };
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  return `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** Writes a JSON error to a socket the app never saw, then closes it. */
function answerRaw(socket: Duplex, status: number, message: string, extra?: Record<string, string>): void {
  if (!socket.writable || socket.destroyed) {
    socket.destroy();
    return;
  }
  socket.end(rawJsonError(status, message, extra));
  // A peer that never reads the answer must not keep the socket.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/**
 * The node server for `app`, with deliberate timeouts and JSON answers for what Node rejects before the app sees it.
 * Listening: resolves once the port is bound (`port: 0` picks a free one).
 */
export function startHttpServer(app: Hono, opts: HttpServerOptions): Promise<HttpServer> {
  const drainMs = opts.drainTimeoutMs ?? DRAIN_TIMEOUT_MS;
  const drainMax = opts.drainMaxBytes ?? DRAIN_MAX_BYTES;
  let closing = false;
  const fetch = async (req: Request, env: Env): Promise<Response> => {
    const res = await app.fetch(req, env);
    const { incoming, outgoing } = env;
    // Answered before the body arrived (401, 413, 415…): read the rest, or tell the client not to reuse the socket.
    if (incoming && outgoing && !incoming.complete && !incoming.destroyed) {
      if (!(await drainBody(incoming, drainMax, drainMs))) {
        outgoing.setHeader('Connection', 'close');
      }
    }
    if (closing && outgoing && !outgoing.headersSent) {
      outgoing.setHeader('Connection', 'close');
    }
    return res;
  };
  const server = createAdaptorServer({
    fetch: fetch as never,
    hostname: opts.host,
    serverOptions: {
      headersTimeout: opts.headersTimeoutMs,
      requestTimeout: opts.requestTimeoutMs,
      keepAliveTimeout: opts.keepAliveTimeoutMs,
      // Node checks the two timeouts above only this often (default 30 s).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(opts.headersTimeoutMs / 4))),
    },
  }) as http.Server;
  // Also as properties: not every Node version reads all of them from the options.
  server.headersTimeout = opts.headersTimeoutMs;
  server.requestTimeout = opts.requestTimeoutMs;
  server.keepAliveTimeout = opts.keepAliveTimeoutMs;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const code = err.code ?? '';
    if (code === 'ECONNRESET' || code === 'EPIPE' || !socket.writable) {
      socket.destroy();
      return;
    }
    // Mid-answer (the parser failed on a later pipelined request): nothing sane can be written any more.
    const current = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    if (current?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, message] = PARSER_ERRORS[code] ?? [400, 'malformed HTTP request'];
    opts.logger.debug({ code, status }, 'rejected by the HTTP parser');
    answerRaw(socket, status, message);
  });
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    answerRaw(socket, 405, 'CONNECT is not supported: this is not a proxy', { Allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS' });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const host = address.address.includes(':') ? `[${address.address}]` : address.address;
      resolve({
        server,
        url: `http://${host}:${address.port}`,
        port: address.port,
        beginClose: () => {
          closing = true;
        },
      });
    });
  });
}
