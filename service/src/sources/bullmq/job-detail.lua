#!lua flags=no-writes
--[[
  jobscope job detail: one BullMQ job's hash and where it is, in one read-only call.

  KEYS[1]  queue key prefix "<prefix>:<queue>:"
  ARGV[1]  job id
  ARGV[2]  byte budget of data / returnvalue (longer values are cut, their full size returned)
  ARGV[3]  longest list scanned with LPOS for the list states (bounds the call on huge wait lists)

  Returns nil when the job hash does not exist, else
    { nativeIndex (0 = not found in any state), sortKey, dataBytes, returnBytes, field1..fieldN }
  with fields in FIELDS order (includes/job-fields.lua) followed by data and opts; data and returnvalue cut to
  ARGV[2] bytes.
]]
local base = KEYS[1]
local id = ARGV[1]
local BUDGET = tonumber(ARGV[2])
local MAXLEN = tonumber(ARGV[3])
local rcall = redis.call

local jobKey = base .. id
if rcall('EXISTS', jobKey) == 0 then return nil end

--- @include "native-states"
--- @include "job-fields"
--- @include "cut"
-- The summary's fields, then the payload.
FIELDS[#FIELDS + 1] = 'data'
FIELDS[#FIELDS + 1] = 'opts'
local F_DATA = #FIELDS - 1

-- Sorted sets first (O(log n)), then the lists in NATIVE order (the running one first).
local nativeIndex, sortKey = 0, ''
for i = 1, #NATIVE do
  if not IS_LIST[i] then
    local score = rcall('ZSCORE', base .. NATIVE[i], id)
    if score then
      nativeIndex, sortKey = i, score
      break
    end
  end
end
if nativeIndex == 0 then
  for i = 1, #NATIVE do
    if IS_LIST[i] and rcall('LPOS', base .. NATIVE[i], id, 'MAXLEN', MAXLEN) then
      nativeIndex = i
      break
    end
  end
end

local f = rcall('HMGET', jobKey, unpack(FIELDS))
local dataBytes = f[F_DATA] and #f[F_DATA] or 0
local returnBytes = f[F_RETURN] and #f[F_RETURN] or 0
f[F_DATA] = cut(f[F_DATA], BUDGET)
f[F_RETURN] = cut(f[F_RETURN], BUDGET)

local reply = {nativeIndex, sortKey, dataBytes, returnBytes}
for k = 1, #FIELDS do reply[#reply + 1] = f[k] or false end
return reply
