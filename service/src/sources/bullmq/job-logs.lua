#!lua flags=no-writes
--[[
  jobscope job logs: one page of a BullMQ job's log lines (the list "<prefix>:<queue>:<id>:logs" that Job.log RPUSHes
  to, so oldest first), in one read-only call. O(limit) whatever the number of lines.

  KEYS[1]  queue key prefix "<prefix>:<queue>:"
  ARGV[1]  job id
  ARGV[2]  offset (0 = oldest line)
  ARGV[3]  limit, lines in the page
  ARGV[4]  byte budget of one line (longer lines are cut on a UTF-8 boundary)

  Returns nil when the job hash does not exist, else { total, lines }.
]]
local jobKey = KEYS[1] .. ARGV[1]
local offset = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local LINE_BYTES = tonumber(ARGV[4])

if redis.call('EXISTS', jobKey) == 0 then return nil end

--- @include "cut"

local logsKey = jobKey .. ':logs'
local total = redis.call('LLEN', logsKey)
local lines = {}
if limit > 0 and offset < total then
  lines = redis.call('LRANGE', logsKey, offset, offset + limit - 1)
  for i = 1, #lines do lines[i] = cut(lines[i], LINE_BYTES) end
end
return {total, lines}
