import React, { type ComponentProps } from 'react';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { captureToasts, type Toast } from '../../test/appEvents';
import { settle } from '../../test/clock';
import { FakeBackend } from '../../test/fakeBackend';
import { makeStatus } from '../../test/fixtures';
import { renderJobsTab } from '../../test/renderTab';
import { setUserRole } from '../../test/TestRouter';
import { filenameOf, rowCounter } from '../../utils/download';
import { ExportMenu, parseExportMax } from './ExportMenu';

const EXPORT = '/api/plugin-proxy/jobscope-jobs-app/api/jobs/export';

/** A response body whose chunks the test hands out one by one, as a slow download would arrive. */
class ControlledBody {
  private reads: Array<(r: { done: boolean; value?: Uint8Array }) => void> = [];
  private encoder = new TextEncoder();
  getReader() {
    return {
      read: () => new Promise<{ done: boolean; value?: Uint8Array }>((resolve) => this.reads.push(resolve)),
      releaseLock: () => undefined,
      cancel: async () => undefined,
    };
  }
  async push(text: string) {
    await act(async () => {
      const next = this.reads.shift();
      if (!next) {
        throw new Error('nobody is reading');
      }
      next({ done: false, value: this.encoder.encode(text) });
    });
    await settle();
  }
  async end() {
    await act(async () => this.reads.shift()?.({ done: true }));
    await settle();
  }
}

function okResponse(body: ControlledBody, filename = 'jobscope-email-20261129.csv') {
  const headers: Record<string, string> = {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${filename}"`,
  };
  return {
    ok: true,
    status: 200,
    statusText: 'OK',
    body,
    headers: { get: (n: string) => headers[n.toLowerCase()] ?? null },
  };
}

function errorResponse(status: number, data: unknown) {
  return {
    ok: false,
    status,
    statusText: `HTTP ${status}`,
    body: null,
    headers: { get: () => 'application/json' },
    text: async () => JSON.stringify(data),
  };
}

describe('Export menu', () => {
  let toasts: Toast[];
  let fetchMock: jest.Mock;
  let saved: Array<{ download: string; href: string }>;
  let blobs: Blob[];
  const g = globalThis as unknown as { fetch?: unknown };
  const u = URL as unknown as { createObjectURL?: unknown; revokeObjectURL?: unknown };
  let clickSpy: jest.SpyInstance;

  beforeEach(() => {
    jest.useFakeTimers();
    setUserRole('Viewer');
    toasts = captureToasts();
    fetchMock = jest.fn();
    g.fetch = fetchMock;
    saved = [];
    blobs = [];
    u.createObjectURL = jest.fn((b: Blob) => {
      blobs.push(b);
      return `blob:export-${blobs.length}`;
    });
    u.revokeObjectURL = jest.fn();
    clickSpy = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ download: this.download, href: this.getAttribute('href') ?? '' });
    });
  });
  afterEach(() => {
    clickSpy.mockRestore();
    delete g.fetch;
    delete u.createObjectURL;
    delete u.revokeObjectURL;
    jest.useRealTimers();
  });

  const openMenu = async () => {
    fireEvent.click(screen.getByTestId('jobs-export-menu'));
    await settle();
  };

  /** Renders the menu for `filter` and starts a CSV download; returns its body, which the test feeds. */
  const startCsv = async (filter: ComponentProps<typeof ExportMenu>['filter']) => {
    const body = new ControlledBody();
    fetchMock.mockResolvedValue(okResponse(body));
    render(<ExportMenu filter={filter} searching={false} />);
    await openMenu();
    fireEvent.click(screen.getByTestId('jobs-export-csv'));
    await settle();
    return body;
  };

  it('builds the export URL from the Jobs filter and "how many", through the plugin proxy, with the cookie', async () => {
    new FakeBackend(() => ({ status: 200, data: makeStatus() })).install();
    const body = new ControlledBody();
    fetchMock.mockResolvedValue(okResponse(body));
    await renderJobsTab('&queue=email,reports&state=FAILURE&name=send&from=1000&to=2000&q=boom');
    await openMenu();
    expect(screen.getByTestId('jobs-export-max')).toHaveValue('10000');
    expect(screen.getByText('The search text is not part of an export.')).toBeInTheDocument();
    fireEvent.change(screen.getByTestId('jobs-export-max'), { target: { value: '2500' } });
    fireEvent.click(screen.getByTestId('jobs-export-json'));
    await settle();
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe(`${EXPORT}?format=json&queue=email%2Creports&state=FAILURE&name=send&from=1000&to=2000&max=2500`);
    expect(init).toMatchObject({ credentials: 'same-origin' });
    await body.end();
  });

  it('without a filter asks for format and max only (default 10,000)', async () => {
    const body = await startCsv({});
    expect(fetchMock.mock.calls[0][0]).toBe(`${EXPORT}?format=csv&max=10000`);
    await body.end();
  });

  it('shows progress (jobs and bytes so far) while downloading, then saves the file under its name', async () => {
    const body = await startCsv({ queue: 'email' });
    expect(screen.getByTestId('jobs-export-progress')).toHaveTextContent('Exporting CSV: 0 jobs, 0 B');
    expect(screen.getByTestId('jobs-export-menu')).toBeInTheDocument();
    await body.push('"source","id","error"\n"bullmq","1","a ""quoted""\nmultiline"\n');
    expect(screen.getByTestId('jobs-export-progress')).toHaveTextContent('Exporting CSV: 1 jobs');
    await body.push('"bullmq","2",""\n"bullmq","3",""\n');
    expect(screen.getByTestId('jobs-export-progress')).toHaveTextContent('Exporting CSV: 3 jobs');
    expect(saved).toHaveLength(0);
    await body.end();
    expect(screen.queryByTestId('jobs-export-progress')).toBeNull();
    expect(saved).toEqual([{ download: 'jobscope-email-20261129.csv', href: 'blob:export-1' }]);
    expect(blobs[0].type).toBe('text/csv');
    expect(blobs[0].size).toBeGreaterThan(50);
    expect(toasts).toEqual([
      { kind: 'success', payload: ['Exported 3 jobs', expect.stringContaining('jobscope-email')] },
    ]);
    await settle();
    expect(URL.revokeObjectURL).toHaveBeenCalledWith('blob:export-1');
    expect(document.querySelectorAll('a[download]')).toHaveLength(0);
  });

  it("a 4xx shows the service's message in an error toast and saves nothing", async () => {
    fetchMock.mockResolvedValue(
      errorResponse(400, { error: { code: 'invalid_query', message: 'from: not a time (epoch ms or ISO 8601)' } })
    );
    render(<ExportMenu filter={{ from: 'yesterday' }} searching={false} />);
    await openMenu();
    fireEvent.click(screen.getByTestId('jobs-export-json'));
    await settle();
    expect(toasts).toEqual([
      { kind: 'error', payload: ['Export (JSON) failed', 'from: not a time (epoch ms or ISO 8601)'] },
    ]);
    expect(saved).toHaveLength(0);
    expect(screen.queryByTestId('jobs-export-progress')).toBeNull();
  });

  it('a 404 unknown queue and a network failure are told too', async () => {
    fetchMock.mockResolvedValueOnce(
      errorResponse(404, { error: { code: 'unknown_queue', message: 'unknown queue "nope"' } })
    );
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    render(<ExportMenu filter={{ queue: 'nope' }} searching={false} />);
    await openMenu();
    fireEvent.click(screen.getByTestId('jobs-export-csv'));
    await settle();
    await openMenu();
    fireEvent.click(screen.getByTestId('jobs-export-csv'));
    await settle();
    expect(toasts.map((t) => [t.kind, t.payload[1]])).toEqual([
      ['error', 'unknown queue "nope"'],
      ['error', 'Jobs service unreachable (Failed to fetch)'],
    ]);
  });

  it('"how many" must be 1…100,000: otherwise the downloads are disabled', async () => {
    render(<ExportMenu filter={{}} searching={false} />);
    await openMenu();
    for (const [text, ok] of [
      ['0', false],
      ['100001', false],
      ['12.5', false],
      ['abc', false],
      ['100000', true],
      ['1', true],
      ['50,000', true],
    ] as const) {
      fireEvent.change(screen.getByTestId('jobs-export-max'), { target: { value: text } });
      expect(screen.getByTestId('jobs-export-csv')).toHaveProperty('disabled', !ok);
      expect(screen.getByTestId('jobs-export-json')).toHaveProperty('disabled', !ok);
    }
    expect(parseExportMax('50,000')).toBe(50_000);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('cancel stops the download without a toast or a file', async () => {
    const body = await startCsv({});
    const signal = fetchMock.mock.calls[0][1].signal as AbortSignal;
    fireEvent.click(screen.getByRole('button', { name: 'Cancel the export' }));
    await settle();
    expect(signal.aborted).toBe(true);
    expect(screen.queryByTestId('jobs-export-progress')).toBeNull();
    await body.end();
    expect(saved).toHaveLength(0);
    expect(toasts).toEqual([]);
  });
});

describe('export helpers', () => {
  it('counts CSV records outside quoted cells, after the header, across chunks', () => {
    const c = rowCounter('csv');
    c.feed('"a","b"\r\n"1","x\n');
    expect(c.rows).toBe(1);
    c.feed('y"\r\n"2","');
    expect(c.rows).toBe(2);
    c.feed('z"');
    expect(c.rows).toBe(2);
    const empty = rowCounter('csv');
    empty.feed('"a","b"\n');
    expect(empty.rows).toBe(0);
  });

  it('counts the objects of a JSON array, braces in strings ignored', () => {
    const c = rowCounter('json');
    c.feed('[{"id":"1","data":{"x":"}{"}},');
    expect(c.rows).toBe(1);
    c.feed('{"id":"2","error":"say \\"{hi}\\""}');
    c.feed(',{"id":"3"}]');
    expect(c.rows).toBe(3);
  });

  it('reads the file name of Content-Disposition', () => {
    expect(filenameOf('attachment; filename="jobscope-all-2026.csv"')).toBe('jobscope-all-2026.csv');
    expect(filenameOf("attachment; filename*=UTF-8''jobs%20%C3%A9.json")).toBe('jobs é.json');
    expect(filenameOf('attachment; filename=../../etc/passwd')).toBe('.._.._etc_passwd');
    expect(filenameOf(null)).toBeNull();
  });
});
