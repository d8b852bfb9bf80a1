import { useMutation, useQueryClient } from '@tanstack/react-query';
import { jobRefOf, type JobAction, type JobActionResponse, type JobSummary } from '@jobscope/contract';
import { runJobAction, type ServiceError } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { setJobInStatus } from '../api/statusQueries';
import { jobActionErrorTitle, jobActionSuccessText } from '../utils/jobActions';
import { notifyError, notifySuccess } from '../utils/notify';

export interface JobActionVariables {
  job: JobSummary;
  action: JobAction;
  /** cancel only. */
  reason?: string;
}

/**
 * One job action (retry, promote, cancel, remove) as a mutation. On success the returned job is written into the cached
 * status replies at once (removed for remove) and a toast says what happened; on failure a toast carries the service's
 * message (e.g. 409 wrong_state). Either way the status and audit queries are invalidated.
 */
export function useJobAction() {
  const queryClient = useQueryClient();
  return useMutation<JobActionResponse, ServiceError, JobActionVariables>({
    mutationFn: ({ job, action, reason }) => runJobAction(job, action, { reason }),
    onSuccess: async (reply, { job, action }) => {
      // A poll in flight was started before the action: its answer must not overwrite the row just written.
      await queryClient.cancelQueries({ queryKey: queryKeys.statusAll });
      setJobInStatus(queryClient, jobRefOf(job), action === 'remove' ? null : reply.job);
      notifySuccess(jobActionSuccessText(job, reply));
    },
    onError: (error, { job, action }) => {
      notifyError(jobActionErrorTitle(job, action), error.message);
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.statusAll });
      void queryClient.invalidateQueries({ queryKey: queryKeys.auditAll });
    },
  });
}
