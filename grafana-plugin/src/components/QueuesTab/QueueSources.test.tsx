import React from 'react';
import { act, screen, within } from '@testing-library/react';
import { emptyStateCounts, type SourceInfo } from '@jobscope/contract';
import { FakeBackend } from '../../test/fakeBackend';
import { BULLMQ_SOURCE, CELERY_SOURCE, makeQueue, makeStatus } from '../../test/fixtures';
import { renderTab } from '../../test/renderTab';
import { setUserRole } from '../../test/TestRouter';
import { QueuesTab } from './QueuesTab';

const BUTTONS = ['queue-action-pause', 'queue-action-resume', 'queue-action-retry-failed', 'queue-action-clean'];
const SOURCES: SourceInfo[] = [
  BULLMQ_SOURCE,
  CELERY_SOURCE,
  // A source with only some queue actions: those show, the others are hidden.
  { id: 'partial', label: 'Partial', supports: { enqueue: false, actions: ['pause', 'resume'] } },
];
const QUEUES = [
  makeQueue(),
  makeQueue({ name: 'celery', prefix: 'db0', source: 'celery', counts: { ...emptyStateCounts(), FAILURE: 2 } }),
  makeQueue({ name: 'jobs', prefix: 'p', source: 'partial', counts: { ...emptyStateCounts(), FAILURE: 2 } }),
];

function queueRow(name: string): HTMLElement {
  return screen.getAllByTestId('queue-row').find((r) => r.dataset.queue === name)!;
}
const shown = (name: string) => BUTTONS.filter((id) => within(queueRow(name)).queryByTestId(id) !== null);

describe('queue actions by source', () => {
  async function render(sources: SourceInfo[] | undefined, role: 'Viewer' | 'Admin' = 'Admin') {
    new FakeBackend((call) =>
      call.url.endsWith('/api/audit')
        ? { status: 200, data: { entries: [] } }
        : { status: 200, data: makeStatus({ queues: QUEUES, sources }) }
    ).install();
    setUserRole(role);
    renderTab('queues', <QueuesTab />);
    await act(async () => {});
  }

  it("shows only the actions each queue's source supports", async () => {
    await render(SOURCES);
    expect(shown('email')).toEqual(['queue-action-pause', 'queue-action-retry-failed', 'queue-action-clean']);
    expect(shown('jobs')).toEqual(['queue-action-pause']);
    // Celery has no queue actions: none is shown, a dash says so.
    expect(shown('celery')).toEqual([]);
    expect(within(queueRow('celery')).getByTitle('The celery source has no queue actions')).toHaveTextContent('—');
  });

  it('keeps role reasons as disabled buttons for what the source supports', async () => {
    await render(SOURCES, 'Viewer');
    expect(within(queueRow('jobs')).getByTestId('queue-action-pause')).toBeDisabled();
    expect(shown('celery')).toEqual([]);
  });

  it('names the source by its label beside the prefix', async () => {
    await render(SOURCES);
    expect(queueRow('celery')).toHaveTextContent('Celery · prefix db0');
  });

  it('hides nothing without a source list (an older service)', async () => {
    await render(undefined);
    expect(shown('celery')).toEqual(['queue-action-pause', 'queue-action-retry-failed', 'queue-action-clean']);
    expect(queueRow('celery')).toHaveTextContent('celery · prefix db0');
  });
});
