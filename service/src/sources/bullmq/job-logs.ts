import type { RedisClient } from '../../redis/topology';
import { JOB_LOG_LINE_MAX_BYTES, type JobRef } from '@jobscope/contract';
import { SourceUnavailableError, type JobLogPage } from '../source';
import { redisErrorText } from '../../redis/error-text';
import { LuaScript } from './lua-script';
import { keyBase } from './queue-set';

type LogsReply = [number, string[]] | null;

export const jobLogsScript = new LuaScript<LogsReply>('jobscopeJobLogs', 'job-logs.lua');

/**
 * A page of a BullMQ job's log lines (what `Job.log` wrote, as `Queue.getJobLogs(id, offset, offset + limit - 1)`
 * reads them), oldest first, each cut to JOB_LOG_LINE_MAX_BYTES on a UTF-8 boundary; one read-only script call.
 * Null when the job hash does not exist.
 */
export async function readJobLogs(
  client: RedisClient,
  ref: JobRef,
  page: { offset: number; limit: number }
): Promise<JobLogPage | null> {
  let reply: LogsReply;
  try {
    reply = await jobLogsScript.run(client, [keyBase({ prefix: ref.prefix, name: ref.queue })], [
      ref.id,
      page.offset,
      page.limit,
      JOB_LOG_LINE_MAX_BYTES,
    ]);
  } catch (err) {
    throw new SourceUnavailableError(`could not read the job's logs: ${redisErrorText(err)}`);
  }
  if (reply === null) {
    return null;
  }
  const [total, lines] = reply;
  return { lines: (lines ?? []).map(String), offset: page.offset, total: Number(total) };
}
