import type Redis from 'ioredis';
import { parseClientList, readWorkers } from '../src/sources/bullmq/workers';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const line = (id: number, name: string, extra = '') =>
  `id=${id} addr=127.0.0.1:${50000 + id} laddr=127.0.0.1:6379 fd=${id} name=${name} age=${id * 10} idle=${id} flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 obl=0 oll=0 omem=0 tot-mem=22272 events=r cmd=bzpopmin user=default redir=-1 resp=2${extra}`;

describe('parseClientList', () => {
  it('finds named and unnamed workers of every queue in one CLIENT LIST', () => {
    const text = [
      line(1, `bull:${b64('emails')}:w:mailer-1`),
      line(2, `bull:${b64('emails')}`),
      line(3, `bull:${b64('📦-队列')}:w:intl`),
      line(4, ''),
      '',
    ].join('\n');
    expect(parseClientList(text, ['bull'])).toEqual([
      { queue: 'emails', prefix: 'bull', name: 'mailer-1', addr: '127.0.0.1:50001', ageSeconds: 10, idleSeconds: 1 },
      { queue: 'emails', prefix: 'bull', name: null, addr: '127.0.0.1:50002', ageSeconds: 20, idleSeconds: 2 },
      { queue: '📦-队列', prefix: 'bull', name: 'intl', addr: '127.0.0.1:50003', ageSeconds: 30, idleSeconds: 3 },
    ]);
  });

  it('ignores QueueEvents connections, other prefixes and names that are not BullMQ worker names', () => {
    const text = [
      line(1, `bull:${b64('emails')}:qe`),
      line(2, `other:${b64('emails')}:w:x`),
      line(3, `bullish:${b64('emails')}:w:x`),
      line(4, 'bull:not base64!'),
      line(5, 'bull:emails'), // "emails" is valid base64 but not the canonical encoding of any text it decodes to
      line(6, 'my-app-connection'),
    ].join('\n');
    expect(parseClientList(text, ['bull'])).toEqual([]);
  });

  it('handles several prefixes, including one that contains ":" and one that is a prefix of another', () => {
    const text = [line(1, `app:jobs:${b64('q1')}:w:a`), line(2, `app:${b64('q2')}`), line(3, `{tagged}:${b64('q3')}:w:c`)].join('\r\n');
    const found = parseClientList(text, ['app', 'app:jobs', '{tagged}']).map((w) => [w.prefix, w.queue, w.name]);
    expect(found).toEqual([
      ['app:jobs', 'q1', 'a'],
      ['app', 'q2', null],
      ['{tagged}', 'q3', 'c'],
    ]);
  });

  it('keeps a worker name that itself contains ":w:"', () => {
    expect(parseClientList(line(1, `bull:${b64('q')}:w:host:w:1`), ['bull'])[0]).toMatchObject({ queue: 'q', name: 'host:w:1' });
  });
});

describe('readWorkers', () => {
  const fakeClient = (call: () => Promise<unknown>) => ({ call }) as unknown as Redis;

  it('reports "unknown" with the reason when the server forbids CLIENT', async () => {
    for (const message of [
      "NOPERM this user has no permissions to run the 'client|list' command",
      "ERR unknown command 'CLIENT', with args beginning with: 'LIST'",
    ]) {
      const report = await readWorkers(fakeClient(() => Promise.reject(new Error(message))), ['bull']);
      expect(report).toEqual({ status: 'unknown', reason: `CLIENT LIST refused by the server: ${message}`, items: [] });
    }
  });

  it('passes connection errors on (the snapshot then fails and is served stale)', async () => {
    await expect(readWorkers(fakeClient(() => Promise.reject(new Error('Connection is closed.'))), ['bull'])).rejects.toThrow(
      'Connection is closed.'
    );
  });
});
