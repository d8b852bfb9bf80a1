#!lua flags=no-writes
--[[
  jobscope job detail: one BullMQ job's hash, where it is, its flow and its log size, in one read-only call.

  KEYS[1]  queue key prefix "<prefix>:<queue>:"
  ARGV[1]  job id
  ARGV[2]  byte budget of data / returnvalue (longer values are cut, their full size returned)
  ARGV[3]  longest list scanned with LPOS for the list states (bounds the call on huge wait lists)
  ARGV[4]  byte budget of each stack trace entry
  ARGV[5]  most children listed

  Returns nil when the job hash does not exist, else
    { nativeIndex (0 = in no state list), sortKey, dataBytes, returnBytes, logCount,
      {processed, unprocessed, failed, ignored}, {childKey, childNativeIndex, ...}, field1..fieldN }
  with fields in FIELDS order (includes/job-fields.lua) followed by DETAIL_FIELDS; data and returnvalue cut to
  ARGV[2] bytes, each stack trace entry to ARGV[4] bytes.
  Children are full job keys "<prefix>:<queue>:<id>" (BullMQ's dependency keys); a child's state is looked up in its
  own queue.
]]
local base = KEYS[1]
local id = ARGV[1]
local BUDGET = tonumber(ARGV[2])
local MAXLEN = tonumber(ARGV[3])
local TRACE_BUDGET = tonumber(ARGV[4])
local MAX_CHILDREN = tonumber(ARGV[5])
local rcall = redis.call

local jobKey = base .. id
if rcall('EXISTS', jobKey) == 0 then return nil end

--- @include "native-states"
--- @include "job-fields"
--- @include "cut"
--- @include "locate-job"
-- The summary's fields, then what only the detail shows.
local DETAIL_FIELDS = {'data', 'opts', 'ats', 'deid', 'parentKey'}
local F_DATA = #FIELDS + 1
for _, f in ipairs(DETAIL_FIELDS) do FIELDS[#FIELDS + 1] = f end

local nativeIndex, sortKey = locateJob(base, id, MAXLEN)

local f = rcall('HMGET', jobKey, unpack(FIELDS))
local dataBytes = f[F_DATA] and #f[F_DATA] or 0
local returnBytes = f[F_RETURN] and #f[F_RETURN] or 0
f[F_DATA] = cut(f[F_DATA], BUDGET)
f[F_RETURN] = cut(f[F_RETURN], BUDGET)
if f[F_TRACE] then
  local ok, trace = pcall(cjson.decode, f[F_TRACE])
  if ok and type(trace) == 'table' then
    for i = 1, #trace do trace[i] = cut(tostring(trace[i]), TRACE_BUDGET) end
    f[F_TRACE] = cjson.encode(trace)
  end
end

-- Children (BullMQ flows): processed hash, unprocessed set, failed zset, ignored-failures hash.
local counts = {
  rcall('HLEN', jobKey .. ':processed'),
  rcall('SCARD', jobKey .. ':dependencies'),
  rcall('ZCARD', jobKey .. ':unsuccessful'),
  rcall('HLEN', jobKey .. ':failed'),
}
local children = {}
local function addChildren(keys)
  for _, childKey in ipairs(keys) do
    if #children >= 2 * MAX_CHILDREN then return end
    -- "<prefix>:<queue>:<id>": ids and queue names hold no ":", prefixes may.
    local childBase, childId = string.match(childKey, '^(.*:)([^:]+)$')
    local childIndex = 0
    if childBase then childIndex = locateJob(childBase, childId, MAXLEN) end
    children[#children + 1] = childKey
    children[#children + 1] = childIndex
  end
end
-- One SCAN step each (COUNT bounds the work; small sets come back whole), so "the first" children are SCAN's order.
local function hashFields(key)
  local pairs = rcall('HSCAN', key, 0, 'COUNT', MAX_CHILDREN)[2]
  local fields = {}
  for i = 1, #pairs, 2 do fields[#fields + 1] = pairs[i] end
  return fields
end
if counts[2] > 0 then addChildren(rcall('SSCAN', jobKey .. ':dependencies', 0, 'COUNT', MAX_CHILDREN)[2]) end
if counts[1] > 0 then addChildren(hashFields(jobKey .. ':processed')) end
if counts[3] > 0 then addChildren(rcall('ZRANGE', jobKey .. ':unsuccessful', 0, MAX_CHILDREN - 1)) end
if counts[4] > 0 then addChildren(hashFields(jobKey .. ':failed')) end

local reply = {nativeIndex, sortKey, dataBytes, returnBytes, rcall('LLEN', jobKey .. ':logs'), counts, children}
for k = 1, #FIELDS do reply[#reply + 1] = f[k] or false end
return reply
