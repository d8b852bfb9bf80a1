#!lua flags=no-writes
--[[
  jobscope snapshot: per-queue counts plus the top N jobs across many BullMQ queues, in one read-only call.
  Cost does not grow with history: O(1) counts, ranged reads in chunks as the merge consumes them (about
  N + 16 ids per queue and state), one HGET per list head, one HMGET per returned job.

  KEYS[i]  queue key prefix "<prefix>:<queue>:" (on a cluster, all keys of one call must share a slot)
  ARGV[1]  N, jobs to return
  ARGV[2]  byte budget of result / error excerpts
  ARGV[3]  byte budget of the traceback excerpt
  ARGV[4]  groups to list, e.g. "1,2,3" ("" = all); see GROUPS below
  ARGV[5]  1-based indices of the only queues to list, e.g. "2,5" ("" = all, "0" = none); counts cover all queues

  Returns { counts, paused, jobs }:
    counts  Q*8 integers in NATIVE order per queue (NATIVE: includes/native-states.lua)
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

--- @include "native-states"
--- @include "count-queue"

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
--- @include "job-fields"

local wanted = {}
local anyWanted = false
for g in string.gmatch(ARGV[4], '%d+') do
  wanted[tonumber(g)] = true
  anyWanted = true
end

--- @include "cut"

local Q = #KEYS
local S = #NATIVE
local counts, paused = {}, {}
for q = 1, Q do
  local c
  c, paused[q] = countQueue(KEYS[q])
  for i = 1, S do counts[(q - 1) * S + i] = c[i] end
end

-- One stream per (queue, state) of a group, merged k-way: only stream heads are compared, so the cost is about
-- N x streams comparisons, and ids are read in chunks as the merge consumes them. Zsets are in order by score. Lists
-- are in push order (active: last started first; wait: last queued first); their sort field is read only for the
-- head, to interleave queues.
local CHUNK = 16

local function openStream(q, i, take, desc)
  return {q = q, i = i, take = take, desc = desc, key = KEYS[q] .. NATIVE[i], list = IS_LIST[i],
    pos = 1, fetched = 0, ids = {}, keys = {}, raw = {}}
end

-- Makes sure the stream has a head with its sort key; false when it is used up.
local function head(s)
  if s.pos > #s.ids then
    if s.fetched >= s.take then return false end
    local stop = math.min(s.fetched + CHUNK, s.take) - 1
    if s.list then
      for _, id in ipairs(rcall('LRANGE', s.key, s.fetched, stop)) do s.ids[#s.ids + 1] = id end
    else
      local r
      if s.desc then
        r = rcall('ZREVRANGE', s.key, s.fetched, stop, 'WITHSCORES')
      else
        r = rcall('ZRANGE', s.key, s.fetched, stop, 'WITHSCORES')
      end
      for j = 1, #r, 2 do
        local n = #s.ids + 1
        s.ids[n], s.raw[n], s.keys[n] = r[j], r[j + 1], tonumber(r[j + 1])
      end
    end
    s.fetched = stop + 1
    if s.pos > #s.ids then return false end
  end
  if s.keys[s.pos] == nil then
    local raw = rcall('HGET', KEYS[s.q] .. s.ids[s.pos], LIST_SORT_FIELD[s.i]) or '0'
    s.raw[s.pos], s.keys[s.pos] = raw, tonumber(raw) or 0
  end
  return true
end

-- Streams are opened in (queue, state) order, so ties go to the earlier stream, as documented.
local function better(a, b, desc)
  local ka, kb = a.keys[a.pos], b.keys[b.pos]
  if ka ~= kb then
    if desc then return ka > kb end
    return ka < kb
  end
  return false
end

local function summary(q, id)
  local f = rcall('HMGET', KEYS[q] .. id, unpack(FIELDS))
  -- A job removed since its id was listed has no hash: skip it.
  if not (f[1] or f[2]) then return nil end
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
  return f
end

local jobs = {}
local budget = N
for g, group in ipairs(GROUPS) do
  if budget <= 0 then break end
  if (not anyWanted) or wanted[g] then
    local streams = {}
    for q = 1, Q do
      if (not onlyQueues) or onlyQueues[q] then
        for _, i in ipairs(group.natives) do
          local c = counts[(q - 1) * S + i]
          if c > 0 then
            streams[#streams + 1] = openStream(q, i, math.min(budget, c), group.desc)
          end
        end
      end
    end
    while budget > 0 do
      local best = nil
      for _, s in ipairs(streams) do
        if head(s) and (best == nil or better(s, best, group.desc)) then best = s end
      end
      if best == nil then break end
      local id, raw = best.ids[best.pos], best.raw[best.pos]
      best.pos = best.pos + 1
      local f = summary(best.q, id)
      if f then
        local row = {best.q, best.i, id, raw}
        for k = 1, #FIELDS do row[#row + 1] = f[k] end
        jobs[#jobs + 1] = row
        budget = budget - 1
      end
    end
  end
end

return {counts, paused, jobs}
