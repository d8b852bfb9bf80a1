import { randomBytes } from 'node:crypto';
import { Queue, Relay, Worker } from 'bullmq';
import Redis from 'ioredis';
import { REMOTE_CANCEL_NAMESPACE, cancelTopic, enableRemoteCancel, isCancelMessage } from './remote-cancel';

const url = new URL(process.env.JOBSCOPE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const connection = { host: url.hostname, port: Number(url.port || 6379) };
const prefix = `jobscope-test-worker-${randomBytes(4).toString('hex')}`;

describe('cancelTopic', () => {
  it('gives every queue name, dots and unicode included, one valid relay segment', () => {
    expect(cancelTopic('email')).toBe('cancel.656d61696c');
    expect(cancelTopic('a.b')).not.toBe(cancelTopic('a'));
    expect(cancelTopic('очередь.📮').split('.')).toHaveLength(2);
  });

  it('accepts only well-formed messages', () => {
    expect(isCancelMessage({ jobId: '1', reason: 'x' })).toBe(true);
    expect(isCancelMessage({ jobId: 1, reason: 'x' })).toBe(false);
    expect(isCancelMessage(null)).toBe(false);
  });
});

describe('enableRemoteCancel on a real worker', () => {
  const redis = new Redis(connection);
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('aborts the running job of the message, ignores other ids, and stops listening when the worker closes', async () => {
    const queue = new Queue('wq.dots', { connection, prefix });
    let aborted: unknown = null;
    const worker = new Worker(
      'wq.dots',
      (_job, _token, signal) =>
        new Promise((_resolve, reject) => {
          signal?.addEventListener('abort', () => {
            aborted = signal.reason;
            reject(new Error('cancelled'));
          });
        }),
      { connection, prefix }
    );
    await enableRemoteCancel(worker, { connection, prefix });
    const sender = new Relay({ connection, prefix, namespace: REMOTE_CANCEL_NAMESPACE });
    await sender.waitUntilReady();
    try {
      await queue.add('long', {}, { jobId: 'w-1' });
      for (let i = 0; i < 100 && (await queue.getJobState('w-1')) !== 'active'; i++) await new Promise((r) => setTimeout(r, 20));
      const other = await sender.publish(cancelTopic('wq.dots'), { jobId: 'not-running', reason: 'x' });
      expect(other.endpoints).toBe(1);
      await new Promise((r) => setTimeout(r, 200));
      expect(aborted).toBeNull();
      await sender.publish(cancelTopic('wq.dots'), { jobId: 'w-1', reason: 'stop please' });
      for (let i = 0; i < 100 && aborted === null; i++) await new Promise((r) => setTimeout(r, 20));
      expect(String(aborted)).toContain('stop please');
      await worker.close();
      const after = await sender.publish(cancelTopic('wq.dots'), { jobId: 'w-1', reason: 'again' });
      expect(after.endpoints).toBe(0);
    } finally {
      await sender.close();
      await worker.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  }, 20_000);
});
