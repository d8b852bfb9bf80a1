import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { QueueActionResponse, QueueAddress } from '@jobscope/contract';
import { runQueueAction, type QueueActionBody, type ServiceError } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { setQueuePausedInStatus } from '../api/statusQueries';
import { notifyError, notifySuccess } from '../utils/notify';

export interface QueueActionVariables {
  queue: QueueAddress;
  body: QueueActionBody;
}

const LABEL: Record<QueueActionBody['action'], string> = {
  pause: 'pause',
  resume: 'resume',
  'retry-failed': 'retry the failed jobs of',
  clean: 'clean',
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function queueActionSuccessText(queue: QueueAddress, body: QueueActionBody, reply: QueueActionResponse): string {
  switch (body.action) {
    case 'pause':
      return `Queue ${queue.name} paused`;
    case 'resume':
      return `Queue ${queue.name} resumed`;
    case 'retry-failed':
      return `${plural(reply.touched, 'failed job')} of queue ${queue.name} retried`;
    case 'clean':
      return `${plural(reply.touched, `${body.state} job`)} removed from queue ${queue.name}`;
  }
}

/**
 * One queue action (pause, resume, retry-failed, clean) as a mutation: the paused flag is written into the cached status
 * replies at once, a toast tells `touched` (or the service's message on failure), then status and audit are refetched.
 */
export function useQueueAction() {
  const queryClient = useQueryClient();
  return useMutation<QueueActionResponse, ServiceError, QueueActionVariables>({
    mutationFn: ({ queue, body }) => runQueueAction(queue, body),
    onSuccess: async (reply, { queue, body }) => {
      await queryClient.cancelQueries({ queryKey: queryKeys.statusAll });
      setQueuePausedInStatus(queryClient, queue, reply.paused);
      notifySuccess(queueActionSuccessText(queue, body, reply));
    },
    onError: (error, { queue, body }) => {
      notifyError(`Could not ${LABEL[body.action]} queue ${queue.name}`, error.message);
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.statusAll });
      void queryClient.invalidateQueries({ queryKey: queryKeys.auditAll });
    },
  });
}
