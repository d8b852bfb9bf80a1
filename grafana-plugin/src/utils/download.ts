import { serviceErrorOfReply, exportUrl, ServiceError, type ExportRequest } from '../api/client';

/** How far a download got. */
export interface DownloadProgress {
  bytes: number;
  /** Jobs received so far (CSV records after the header, JSON array elements). */
  rows: number;
}

export interface DownloadResult extends DownloadProgress {
  filename: string;
}

/**
 * Counts the jobs of an export as its text arrives, in chunks: CSV records (newlines outside quoted cells, after the
 * header line) or the objects of the top-level JSON array (braces outside strings at depth 1).
 */
export function rowCounter(format: ExportRequest['format']) {
  let rows = 0;
  // CSV
  let inQuotes = false;
  let lines = 0;
  let pending = false;
  // JSON
  let depth = 0;
  let inString = false;
  let escaped = false;
  return {
    feed(text: string): void {
      for (const ch of text) {
        if (format === 'csv') {
          if (ch === '"') {
            inQuotes = !inQuotes; // a doubled quote inside a cell toggles twice
            pending = true;
          } else if (ch === '\n' && !inQuotes) {
            lines++;
            pending = false;
          } else if (ch !== '\r') {
            pending = true;
          }
        } else if (inString) {
          if (escaped) {
            escaped = false;
          } else if (ch === '\\') {
            escaped = true;
          } else if (ch === '"') {
            inString = false;
          }
        } else if (ch === '"') {
          inString = true;
        } else if (ch === '{' || ch === '[') {
          if (ch === '{' && depth === 1) {
            rows++;
          }
          depth++;
        } else if (ch === '}' || ch === ']') {
          depth--;
        }
      }
    },
    get rows(): number {
      // CSV: every line but the header, and a last record without its newline.
      return format === 'csv' ? Math.max(0, lines + (pending ? 1 : 0) - 1) : rows;
    },
  };
}

/** The file name of a `Content-Disposition: attachment; filename="…"` (or `filename*=UTF-8''…`) header. */
export function filenameOf(disposition: string | null): string | null {
  if (!disposition) {
    return null;
  }
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename\s*=\s*(?:"([^"]*)"|([^;\s]+))/.exec(disposition);
  const name = plain ? (plain[1] ?? plain[2]) : null;
  // A name only, never a path.
  return name ? name.replace(/[/\\]/g, '_') : null;
}

/** Saves a Blob as a file through a temporary `<a download>`. */
export function saveBlob(blob: Blob, filename: string): void {
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  try {
    a.click();
  } finally {
    a.remove();
    // The browser has taken the file once the click returns; the URL can go.
    setTimeout(() => URL.revokeObjectURL(href), 0);
  }
}

const MIME = { csv: 'text/csv', json: 'application/json' } as const;

/**
 * Downloads an export of a view through Grafana's plugin proxy (same origin, the session cookie) with `fetch`, reading
 * its body as it arrives to report progress, then saves it. An error reply (4xx/5xx JSON) rejects with the service's
 * message as a ServiceError; a cancelled download rejects with the AbortError.
 */
export async function downloadExport(
  request: ExportRequest,
  onProgress: (p: DownloadProgress) => void,
  signal?: AbortSignal
): Promise<DownloadResult> {
  let res: Response;
  try {
    res = await fetch(exportUrl(request), {
      credentials: 'same-origin',
      headers: { Accept: `${MIME[request.format]}, application/json` },
      signal,
    });
  } catch (e) {
    if (signal?.aborted) {
      throw e;
    }
    throw new ServiceError(
      `Jobs service unreachable (${e instanceof Error ? e.message : String(e)})`,
      'unreachable',
      null
    );
  }
  if (!res.ok) {
    let body: unknown = null;
    try {
      const text = await res.text();
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = null;
    }
    throw serviceErrorOfReply(res.status, body, res.statusText);
  }

  const counter = rowCounter(request.format);
  const decoder = new TextDecoder();
  const chunks: BlobPart[] = [];
  let bytes = 0;
  const take = (chunk: Uint8Array) => {
    chunks.push(chunk as Uint8Array<ArrayBuffer>);
    bytes += chunk.byteLength;
    counter.feed(decoder.decode(chunk, { stream: true }));
    onProgress({ bytes, rows: counter.rows });
  };
  const aborted = () => {
    if (signal?.aborted) {
      throw new DOMException('The export was cancelled', 'AbortError');
    }
  };
  const reader = res.body?.getReader?.();
  if (reader) {
    const stop = () => void reader.cancel().catch(() => undefined);
    signal?.addEventListener('abort', stop);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        aborted();
        if (done) {
          break;
        }
        if (value) {
          take(value);
        }
      }
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  } else {
    take(new Uint8Array(await res.arrayBuffer()));
    aborted();
  }
  counter.feed(decoder.decode());
  const filename = filenameOf(res.headers.get('Content-Disposition')) ?? `jobscope-export.${request.format}`;
  saveBlob(new Blob(chunks, { type: MIME[request.format] }), filename);
  return { bytes, rows: counter.rows, filename };
}
