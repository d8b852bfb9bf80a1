import React from 'react';
import { act, fireEvent, screen } from '@testing-library/react';
import { FakeBackend } from '../../test/fakeBackend';
import { makeQueue, makeStatus } from '../../test/fixtures';
import { renderTab } from '../../test/renderTab';
import { TEST_IDS } from '../testIds';
import { QueuesTab } from './QueuesTab';
import { QUEUES_PER_PAGE } from './useQueuePage';

/** 1,000 queues, as a large BullMQ deployment has them: q-0000 … q-0999. */
const MANY = Array.from({ length: 1000 }, (_, i) => makeQueue({ name: `q-${String(i).padStart(4, '0')}` }));

describe('QueuesTab with 1,000 queues', () => {
  beforeEach(async () => {
    new FakeBackend(() => ({ status: 200, data: makeStatus({ queues: MANY }) })).install();
    renderTab('queues', <QueuesTab />);
    await act(async () => {});
  });

  const shown = () => screen.getAllByTestId(TEST_IDS.queueRow).map((r) => r.dataset.queue);

  it(`renders one page of ${QUEUES_PER_PAGE} and says how many there are`, () => {
    expect(shown()).toHaveLength(QUEUES_PER_PAGE);
    expect(shown()[0]).toBe('q-0000');
    expect(screen.getByTestId(TEST_IDS.queuesShowing)).toHaveTextContent('showing 1–50 of 1,000 queues');
  });

  it('pages on', () => {
    fireEvent.click(screen.getByRole('button', { name: '2' }));
    expect(shown()[0]).toBe('q-0050');
    expect(screen.getByTestId(TEST_IDS.queuesShowing)).toHaveTextContent('showing 51–100 of 1,000 queues');
  });

  it('the filter box narrows by name (case-insensitive), back to page 1, and says when nothing matches', () => {
    fireEvent.click(screen.getByRole('button', { name: '3' }));
    const box = screen.getByPlaceholderText('Filter queues by name');
    fireEvent.change(box, { target: { value: 'Q-09' } });
    expect(shown()).toHaveLength(QUEUES_PER_PAGE);
    expect(shown()[0]).toBe('q-0900');
    expect(screen.getByTestId(TEST_IDS.queuesShowing)).toHaveTextContent('showing 1–50 of 100 queues (1,000 in all)');
    fireEvent.change(box, { target: { value: 'q-0999' } });
    expect(shown()).toEqual(['q-0999']);
    fireEvent.change(box, { target: { value: 'nothing-like-it' } });
    expect(screen.queryAllByTestId(TEST_IDS.queueRow)).toHaveLength(0);
    expect(screen.getByText('No queue matches the filter')).toBeInTheDocument();
  });
});
