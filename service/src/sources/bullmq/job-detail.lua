#!lua flags=no-writes
--[[
  jobscope job detail: one BullMQ job's hash and where it is, in one read-only call.

  KEYS[1]  queue key prefix "<prefix>:<queue>:"
  ARGV[1]  job id
  ARGV[2]  byte budget of data / returnvalue (longer values are cut, their full size returned)
  ARGV[3]  longest list scanned with LPOS for the list states (bounds the call on huge wait lists)

  Returns nil when the job hash does not exist, else
    { nativeIndex (0 = not found in any state), sortKey, dataBytes, returnBytes, field1..fieldN }
  with fields in FIELDS order; data and returnvalue cut to ARGV[2] bytes.
]]
local base = KEYS[1]
local id = ARGV[1]
local BUDGET = tonumber(ARGV[2])
local MAXLEN = tonumber(ARGV[3])
local rcall = redis.call

local jobKey = base .. id
if rcall('EXISTS', jobKey) == 0 then return nil end

local NATIVE = {'active', 'wait', 'paused', 'prioritized', 'delayed', 'waiting-children', 'failed', 'completed'}
local FIELDS = {'name', 'timestamp', 'processedOn', 'finishedOn', 'progress', 'atm', 'attemptsMade', 'delay',
  'priority', 'pb', 'failedReason', 'returnvalue', 'stacktrace', 'data', 'opts'}
local F_RETURN, F_DATA = 12, 14

-- Sorted sets first (O(log n)), then the lists, the running one first.
local nativeIndex, sortKey = 0, ''
for _, i in ipairs({8, 7, 5, 4, 6}) do
  local score = rcall('ZSCORE', base .. NATIVE[i], id)
  if score then
    nativeIndex, sortKey = i, score
    break
  end
end
if nativeIndex == 0 then
  for _, i in ipairs({1, 2, 3}) do
    if rcall('LPOS', base .. NATIVE[i], id, 'MAXLEN', MAXLEN) then
      nativeIndex = i
      break
    end
  end
end

local f = rcall('HMGET', jobKey, unpack(FIELDS))
local dataBytes = f[F_DATA] and #f[F_DATA] or 0
local returnBytes = f[F_RETURN] and #f[F_RETURN] or 0
-- Cut to at most n bytes without splitting a UTF-8 sequence.
local function cut(v, n)
  if not v or #v <= n then return v end
  local e = n
  local b = string.byte(v, e + 1)
  while e > 0 and b and b >= 128 and b < 192 do
    e = e - 1
    b = string.byte(v, e + 1)
  end
  return string.sub(v, 1, e)
end
f[F_DATA] = cut(f[F_DATA], BUDGET)
f[F_RETURN] = cut(f[F_RETURN], BUDGET)

local reply = {nativeIndex, sortKey, dataBytes, returnBytes}
for k = 1, #FIELDS do reply[#reply + 1] = f[k] or false end
return reply
