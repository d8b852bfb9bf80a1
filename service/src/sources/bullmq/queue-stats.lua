#!lua flags=no-writes
--[[
  jobscope queue stats: what health checks and /metrics need per BullMQ queue, in one read-only call.
  O(1) per queue (LLEN/ZCARD/ZCOUNT/LINDEX/HGET) plus at most ARGV[2] lock checks; never lists history.

  KEYS[i]  queue key prefix "<prefix>:<queue>:" (on a cluster, all keys of one call must share a slot)
  ARGV[1]  window start (ms): failures / completions with finishedOn > this are "recent"
  ARGV[2]  most active job ids whose lock is checked per queue

  Returns Q rows of 15 integers:
    1..8  counts in NATIVE order (includes/native-states.lua)
    9     1 when meta.paused is set
    10    created timestamp (ms) of the oldest job waiting to run, 0 when none
    11    failed in the window
    12    completed in the window
    13    active jobs checked for a lock
    14    of those, jobs without a lock (stalled)
    15    created timestamp (ms) of the next prioritized job, 0 when none
]]
local WINDOW_START = ARGV[1]
local MAX_LOCK_CHECKS = tonumber(ARGV[2])
local rcall = redis.call

--- @include "count-queue"

-- Created time of a job, 0 when the id or its hash is gone (removed between reads is impossible inside a script,
-- but a hash can be missing after eviction).
local function createdAt(base, id)
  if not id then return 0 end
  return tonumber(rcall('HGET', base .. id, 'timestamp')) or 0
end

--- @include "queue-keys"

local rows = {}
for q = 1, QUEUE_COUNT do
  local base = KEYS[q]
  local row, paused = countQueue(base)
  row[9] = paused

  -- The tail of a list is the next job to run, i.e. the oldest (FIFO; LIFO jobs jump the line but are newest).
  local oldest = 0
  for _, list in ipairs({'wait', 'paused'}) do
    local t = createdAt(base, rcall('LINDEX', base .. list, -1))
    if t > 0 and (oldest == 0 or t < oldest) then oldest = t end
  end
  row[10] = oldest

  row[11] = rcall('ZCOUNT', base .. 'failed', '(' .. WINDOW_START, '+inf')
  row[12] = rcall('ZCOUNT', base .. 'completed', '(' .. WINDOW_START, '+inf')

  local checked, stalled = 0, 0
  if row[1] > 0 and MAX_LOCK_CHECKS > 0 then
    -- Oldest-started first (tail): those are the ones most likely to have lost their lock.
    local ids = rcall('LRANGE', base .. 'active', -MAX_LOCK_CHECKS, -1)
    for _, id in ipairs(ids) do
      checked = checked + 1
      if rcall('EXISTS', base .. id .. ':lock') == 0 then stalled = stalled + 1 end
    end
  end
  row[13] = checked
  row[14] = stalled

  local nextPrioritized = rcall('ZRANGE', base .. 'prioritized', 0, 0)
  row[15] = createdAt(base, nextPrioritized[1])

  rows[q] = row
end
return rows
