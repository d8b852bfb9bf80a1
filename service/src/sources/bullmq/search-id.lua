#!lua flags=no-writes
--[[
  jobscope search by id: the job with exactly this id in each of many BullMQ queues, in one read-only call.
  O(queues): per queue one TYPE, and for a queue that has the job one HMGET plus at most 5 ZSCORE and 3 bounded LPOS
  to tell its state.

  KEYS[i]  queue key prefix "<prefix>:<queue>:"
  ARGV[1]  job id (the caller makes sure it holds no ":", so it cannot name another key of the queue)
  ARGV[2]  byte budget of result / error excerpts
  ARGV[3]  byte budget of the traceback excerpt
  ARGV[4]  longest list scanned with LPOS (a job found in no state within it reads as nativeIndex 0)

  Returns { {queueIndex, nativeIndex, jobId, sortKey, field1..field13}, ... } in KEYS order; a hash that is not a
  job (e.g. the queue's "meta") has neither name nor timestamp and is skipped.
]]
local id = ARGV[1]
local RESULT_BYTES = tonumber(ARGV[2])
local TRACE_BYTES = tonumber(ARGV[3])
local MAXLEN = tonumber(ARGV[4])

--- @include "locate-job"
--- @include "read-summary"

-- List states have no score: their sort key is a hash field, as in the snapshot.
local LIST_SORT_FIELD = {'processedOn', 'timestamp', 'timestamp'}

--- @include "queue-keys"

local rows = {}
for q = 1, QUEUE_COUNT do
  local jobKey = KEYS[q] .. id
  if redis.call('TYPE', jobKey).ok == 'hash' then
    local f = readSummary(jobKey, RESULT_BYTES, TRACE_BYTES)
    if f then
      local nativeIndex, sortKey = locateJob(KEYS[q], id, MAXLEN)
      if IS_LIST[nativeIndex] then
        sortKey = redis.call('HGET', jobKey, LIST_SORT_FIELD[nativeIndex]) or '0'
      end
      local row = {q, nativeIndex, id, sortKey}
      for k = 1, #FIELDS do row[#row + 1] = f[k] end
      rows[#rows + 1] = row
    end
  end
end
return rows
