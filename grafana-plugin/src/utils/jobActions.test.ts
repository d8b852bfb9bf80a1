import { JOB_STATES, type SourceInfo } from '@jobscope/contract';
import { BULLMQ_SOURCE, CELERY_SOURCE } from '../test/fixtures';
import { jobActionsFor, listedSources, sourceCapabilities, sourceSupports } from './jobActions';

const SOURCES: SourceInfo[] = [
  BULLMQ_SOURCE,
  CELERY_SOURCE,
  { id: 'memory', label: 'memory', supports: { enqueue: false, actions: [] } },
];
const caps = sourceCapabilities(SOURCES);

describe('jobActionsFor', () => {
  it.each([
    ['RUNNING', ['cancel']],
    ['PENDING', ['remove']],
    ['DELAYED', ['promote', 'remove']],
    ['WAITING_CHILDREN', ['remove']],
    ['FAILURE', ['retry', 'remove']],
    ['SUCCESS', ['retry', 'remove']],
  ] as const)('%s: the actions of the state, in menu order, for a source that has them all', (state, expected) => {
    expect(jobActionsFor({ state, source: 'bullmq' }, caps)).toEqual(expected);
    // Unknown capabilities (an older service) hide nothing.
    expect(jobActionsFor({ state, source: 'celery' })).toEqual(expected);
    // A source the reply does not list hides nothing either (the service answers for it).
    expect(jobActionsFor({ state, source: 'rq' }, caps)).toEqual(expected);
  });

  it.each([
    ['RUNNING', ['cancel']],
    ['PENDING', []],
    ['DELAYED', []],
    ['FAILURE', ['retry']],
    ['SUCCESS', ['retry']],
  ] as const)('%s: Celery keeps only retry and cancel', (state, expected) => {
    expect(jobActionsFor({ state, source: 'celery' }, caps)).toEqual(expected);
  });

  it('a source without actions has none in any state', () => {
    for (const state of JOB_STATES) {
      expect(jobActionsFor({ state, source: 'memory' }, caps)).toEqual([]);
    }
  });
});

describe('sourceSupports', () => {
  it('answers queue actions and enqueue from the list', () => {
    expect(sourceSupports(caps, 'bullmq', 'pause')).toBe(true);
    expect(sourceSupports(caps, 'celery', 'pause')).toBe(false);
    expect(sourceSupports(caps, 'celery', 'clean')).toBe(false);
    expect(sourceSupports(caps, 'celery', 'enqueue')).toBe(true);
    expect(sourceSupports(caps, 'memory', 'enqueue')).toBe(false);
    expect(sourceSupports(null, 'memory', 'enqueue')).toBe(true);
  });

  it('names sources by label, by id when not listed', () => {
    const label = (sources: SourceInfo[] | undefined, id: string) =>
      listedSources({ sources, queues: [] }, [{ source: id }]).find((s) => s.id === id)?.label;
    expect(label(SOURCES, 'celery')).toBe('Celery');
    expect(label(SOURCES, 'rq')).toBe('rq');
    expect(label(undefined, 'bullmq')).toBe('bullmq');
  });
});
