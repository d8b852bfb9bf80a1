#!lua flags=no-writes
--[[
  jobscope snapshot: per-queue counts plus the top N jobs across many BullMQ queues, in one read-only call.
  Cost does not grow with history: O(1) counts, ranged reads of at most N ids per list, one HMGET per returned job.

  KEYS[i]  queue key prefix "<prefix>:<queue>:" (on a cluster, all keys of one call must share a slot)
  ARGV[1]  N, jobs to return
  ARGV[2]  byte budget of result / error excerpts
  ARGV[3]  byte budget of the traceback excerpt
  ARGV[4]  groups to list, e.g. "1,2,3" ("" = all); see GROUPS below
  ARGV[5]  1-based indices of the only queues to list, e.g. "2,5" ("" = all, "0" = none); counts cover all queues

  Returns { counts, paused, jobs }:
    counts  Q*8 integers in NATIVE order per queue
    paused  Q integers (1 = meta.paused set)
    jobs    { {queueIndex, nativeIndex, jobId, sortKey, field1..field13}, ... } in display order
]]
local N = tonumber(ARGV[1])
local RESULT_BYTES = tonumber(ARGV[2])
local TRACE_BYTES = tonumber(ARGV[3])
local onlyQueues = nil
if ARGV[5] ~= '' then
  onlyQueues = {}
  for i in string.gmatch(ARGV[5], '%d+') do onlyQueues[tonumber(i)] = true end
end
local rcall = redis.call

local NATIVE = {'active', 'wait', 'paused', 'prioritized', 'delayed', 'waiting-children', 'failed', 'completed'}
local IS_LIST = {true, true, true, false, false, false, false, false}
-- List states have no score: sort by a hash field instead.
local LIST_SORT_FIELD = {'processedOn', 'timestamp', 'timestamp'}
-- Display groups: natives listed together, and whether the biggest sort key comes first.
local GROUPS = {
  {natives = {1}, desc = true},     -- RUNNING: most recently started first
  {natives = {2, 3}, desc = true},  -- PENDING (wait + legacy v5 paused): newest first
  {natives = {4}, desc = false},    -- PENDING (prioritized): next to run first
  {natives = {5}, desc = false},    -- DELAYED: next due first
  {natives = {6}, desc = true},     -- WAITING_CHILDREN: newest first
  {natives = {7}, desc = true},     -- FAILURE: latest finished first
  {natives = {8}, desc = true},     -- SUCCESS: latest finished first
}
local FIELDS = {'name', 'timestamp', 'processedOn', 'finishedOn', 'progress', 'atm', 'attemptsMade', 'delay',
  'priority', 'pb', 'failedReason', 'returnvalue', 'stacktrace'}
local F_PROGRESS, F_REASON, F_RETURN, F_TRACE = 5, 11, 12, 13

local wanted = {}
local anyWanted = false
for g in string.gmatch(ARGV[4], '%d+') do
  wanted[tonumber(g)] = true
  anyWanted = true
end

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

local Q = #KEYS
local counts, paused = {}, {}
for q = 1, Q do
  local base = KEYS[q]
  for i = 1, 8 do
    if IS_LIST[i] then
      counts[(q - 1) * 8 + i] = rcall('LLEN', base .. NATIVE[i])
    else
      counts[(q - 1) * 8 + i] = rcall('ZCARD', base .. NATIVE[i])
    end
  end
  paused[q] = rcall('HEXISTS', base .. 'meta', 'paused')
end

local jobs = {}
local budget = N
for g, group in ipairs(GROUPS) do
  if budget <= 0 then break end
  if (not anyWanted) or wanted[g] then
    local cands = {}
    for q = 1, Q do
      if (not onlyQueues) or onlyQueues[q] then
        local base = KEYS[q]
        for _, i in ipairs(group.natives) do
          local c = counts[(q - 1) * 8 + i]
          if c > 0 then
            local take = math.min(budget, c)
            local key = base .. NATIVE[i]
            if IS_LIST[i] then
              for _, id in ipairs(rcall('LRANGE', key, 0, take - 1)) do
                local sk = rcall('HGET', base .. id, LIST_SORT_FIELD[i]) or '0'
                cands[#cands + 1] = {q, i, id, sk, tonumber(sk) or 0, #cands}
              end
            else
              local r
              if group.desc then
                r = rcall('ZREVRANGE', key, 0, take - 1, 'WITHSCORES')
              else
                r = rcall('ZRANGE', key, 0, take - 1, 'WITHSCORES')
              end
              for j = 1, #r, 2 do
                cands[#cands + 1] = {q, i, r[j], r[j + 1], tonumber(r[j + 1]), #cands}
              end
            end
          end
        end
      end
    end
    local desc = group.desc
    table.sort(cands, function(a, b)
      if a[5] ~= b[5] then
        if desc then return a[5] > b[5] end
        return a[5] < b[5]
      end
      if a[1] ~= b[1] then return a[1] < b[1] end
      return a[6] < b[6]
    end)
    for _, cand in ipairs(cands) do
      if budget <= 0 then break end
      local f = rcall('HMGET', KEYS[cand[1]] .. cand[3], unpack(FIELDS))
      -- A job removed since its id was listed has no hash: skip it.
      if f[1] or f[2] then
        -- Progress is whatever the worker reported; a huge object must not bloat the reply.
        f[F_PROGRESS] = cut(f[F_PROGRESS], RESULT_BYTES)
        f[F_REASON] = cut(f[F_REASON], RESULT_BYTES)
        f[F_RETURN] = cut(f[F_RETURN], RESULT_BYTES)
        if f[F_TRACE] then
          local ok, arr = pcall(cjson.decode, f[F_TRACE])
          if ok and type(arr) == 'table' and #arr > 0 and type(arr[#arr]) == 'string' then
            f[F_TRACE] = cut(arr[#arr], TRACE_BYTES)
          else
            f[F_TRACE] = false
          end
        end
        local row = {cand[1], cand[2], cand[3], cand[4]}
        for k = 1, #FIELDS do row[#row + 1] = f[k] end
        jobs[#jobs + 1] = row
        budget = budget - 1
      end
    end
  end
end

return {counts, paused, jobs}
