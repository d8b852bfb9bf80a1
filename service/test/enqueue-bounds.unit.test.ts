import { ENQUEUE_MAX_BODY_BYTES, EnqueueRequestSchema, MAX_DELAY_MS } from '@jobscope/contract';
import { PRIORITY_LIMIT } from 'bullmq';

/**
 * Every input bound of `POST /api/jobs`, at the limit and one past it. BullMQ 6.7's own validation (Job.validateOptions)
 * bounds only the priority (2^21 - 1, checked by the BullMQ source: bad-input.integration.test.ts); delay, attempts and
 * the name are the contract's own bounds, each inside what BullMQ stores exactly (a delayed job's score is
 * `(now + delay) * 4096`, exact while below 2^53, i.e. until 2039 with a one-year delay).
 */

const base = { queue: 'orders', name: 'n' };
const ok = (body: unknown) => EnqueueRequestSchema.safeParse(body).success;

describe('enqueue input bounds', () => {
  it.each([
    ['delay', { opts: { delay: MAX_DELAY_MS } }, { opts: { delay: MAX_DELAY_MS + 1 } }],
    ['delay (low end)', { opts: { delay: 0 } }, { opts: { delay: -1 } }],
    ['attempts', { opts: { attempts: 100 } }, { opts: { attempts: 101 } }],
    ['attempts (low end)', { opts: { attempts: 1 } }, { opts: { attempts: 0 } }],
    ['name length', { name: 'n'.repeat(256) }, { name: 'n'.repeat(257) }],
    ['name (low end)', { name: 'n' }, { name: '' }],
    ['priority (low end)', { opts: { priority: 0 } }, { opts: { priority: -1 } }],
  ])('%s: accepted at the limit, refused one past it', (_what, at, past) => {
    expect(ok({ ...base, ...at })).toBe(true);
    expect(ok({ ...base, ...past })).toBe(false);
  });

  it('the priority limit is BullMQ’s own constant', () => {
    expect(PRIORITY_LIMIT).toBe(2_097_151);
  });

  it('a one-year delay stays an exact BullMQ delayed score for years to come', () => {
    expect((Date.now() + MAX_DELAY_MS) * 0x1000).toBeLessThan(Number.MAX_SAFE_INTEGER);
  });

  it('the body bound is 256 KB', () => {
    expect(ENQUEUE_MAX_BODY_BYTES).toBe(256 * 1024);
  });
});
