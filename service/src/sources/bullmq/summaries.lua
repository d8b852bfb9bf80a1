#!lua flags=no-writes
--[[
  jobscope summaries: the summary fields of chosen jobs of some BullMQ queues (one slot group), in one read-only call;
  the second step of a snapshot over many slot groups (snapshot.lua with ARGV[10] = "1" picks the jobs).

  KEYS[i]  queue key prefix "<prefix>:<queue>:"
  ARGV[1]  byte budget of result / error excerpts
  ARGV[2]  byte budget of the traceback excerpt
  ARGV[3], ARGV[4], ...  pairs of (1-based queue index into KEYS, job id)

  Returns one entry per pair, in order: {field1..field13} (FIELDS order, as the snapshot returns them) or false when
  the job's hash is gone (removed since it was picked).
]]
local RESULT_BYTES = tonumber(ARGV[1])
local TRACE_BYTES = tonumber(ARGV[2])

--- @include "queue-keys"
--- @include "read-summary"

local out = {}
for k = 3, #ARGV, 2 do
  local q = tonumber(ARGV[k])
  local f = (q and q >= 1 and q <= QUEUE_COUNT) and readSummary(KEYS[q] .. ARGV[k + 1], RESULT_BYTES, TRACE_BYTES)
  out[#out + 1] = f or false
end
return out
