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
  ARGV[6]  exact job name to keep ("" = any)
  ARGV[7]  "from,to" in ms ("" = any time): finished jobs by finish time (their zset score, read by score range),
           others by creation time (the `timestamp` field)
  ARGV[8]  window: with a name or time filter (or a cursor), most ids read per (queue, state) stream
  ARGV[9]  cursor ("" = first page): "group,sortKey,anchorId,cmp1,cmp2,..." where cmp_q is -1/0/1 = queue q is
           before / is / is after the anchor job's queue in the merge order. Pages continue after the anchor job:
           groups before it are skipped, and in its group jobs that sort before it (or tie with it and come first).
  ARGV[10] "1" = positions only: jobs come without their fields (rows end at groupIndex) and each is read with one
           HMGET of name and timestamp (what the filters need); the caller reads the fields of the jobs it keeps with
           summaries.lua. For calls over many slot groups, whose merged page keeps only N of their jobs.

  Returns { counts, paused, jobs, complete }:
    counts    Q*8 integers in NATIVE order per queue (NATIVE: includes/native-states.lua)
    paused    Q integers (1 = meta.paused set)
    jobs      { {queueIndex, nativeIndex, jobId, sortKey, groupIndex, field1..field13}, ... } in display order
    complete  1 unless a filtered stream stopped at the window before it was used up
]]
local N = tonumber(ARGV[1])
local RESULT_BYTES = tonumber(ARGV[2])
local TRACE_BYTES = tonumber(ARGV[3])
local onlyQueues = nil
if ARGV[5] ~= '' then
  onlyQueues = {}
  for i in string.gmatch(ARGV[5], '%d+') do onlyQueues[tonumber(i)] = true end
end
local NAME = ARGV[6]
local FROM, TO = nil, nil
if ARGV[7] ~= '' then
  local a, b = string.match(ARGV[7], '^(-?%d+),(-?%d+)$')
  FROM, TO = tonumber(a), tonumber(b)
end
local WINDOW = tonumber(ARGV[8])
local cursor = nil
if ARGV[9] ~= '' then
  local parts = {}
  for part in string.gmatch(ARGV[9], '[^,]+') do parts[#parts + 1] = part end
  cursor = {group = tonumber(parts[1]), key = tonumber(parts[2]), raw = parts[2], id = parts[3], cmp = {}}
  for q = 4, #parts do cursor.cmp[q - 3] = tonumber(parts[q]) end
end
-- Name and time filters skip jobs, so streams read ahead in big chunks; a cursor alone skips only ties at its anchor.
local POSITIONS_ONLY = ARGV[10] == '1'
local filtering = NAME ~= '' or FROM ~= nil
local filtered = filtering or cursor ~= nil
local complete = 1
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

--- @include "queue-keys"

local Q = QUEUE_COUNT
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
if filtering then CHUNK = 256 end
-- Without name or time filters a stream reads small chunks at first (about its share of the page, since queues
-- interleave), doubling up to CHUNK as the merge keeps taking from it: every id read costs a conversion (zsets: of
-- its score too), and most streams give only a few jobs to a page. Filtered streams skip jobs: CHUNK from the start.
local function firstChunk(budget, streams)
  if filtering then return CHUNK end
  return math.min(CHUNK, math.max(2, math.ceil(budget / math.max(1, streams)) + 1))
end
-- Finished states are scored by finish time: a time filter reads them by score range.
local FINISHED = {[7] = true, [8] = true}

local function openStream(q, i, take, desc, anchored, chunk)
  local s = {q = q, i = i, take = take, desc = desc, key = KEYS[q] .. NATIVE[i], list = IS_LIST[i],
    pos = 1, fetched = 0, ids = {}, keys = {}, raw = {}, anchored = anchored, chunk = chunk}
  if not s.list then
    -- Score range to read: the time filter (finished states) and the cursor's anchor bound it.
    local lo, hi = '-inf', '+inf'
    if FROM and FINISHED[i] then lo, hi = FROM, TO end
    if anchored then
      if desc then hi = anchored.raw else lo = anchored.raw end
    end
    if lo ~= '-inf' or hi ~= '+inf' then s.lo, s.hi = lo, hi end
  elseif anchored and cursor.cmp[q] == 0 then
    -- The anchor's own list: continue right after the anchor job, wherever pushes moved it.
    local at = rcall('LPOS', s.key, cursor.id, 'MAXLEN', WINDOW)
    if at then
      s.fetched = at + 1
      s.take = s.take + at + 1
      s.afterAnchor = true
    end
  end
  return s
end

-- Makes sure the stream has a head with its sort key; false when it is used up.
local function head(s)
  if s.pos > #s.ids then
    if s.fetched >= s.take then return false end
    local stop = math.min(s.fetched + s.chunk, s.take) - 1
    s.chunk = math.min(CHUNK, s.chunk * 2)
    if s.list then
      for _, id in ipairs(rcall('LRANGE', s.key, s.fetched, stop)) do s.ids[#s.ids + 1] = id end
    else
      local r
      if s.lo then
        local count = stop - s.fetched + 1
        if s.desc then
          r = rcall('ZREVRANGEBYSCORE', s.key, s.hi, s.lo, 'WITHSCORES', 'LIMIT', s.fetched, count)
        else
          r = rcall('ZRANGEBYSCORE', s.key, s.lo, s.hi, 'WITHSCORES', 'LIMIT', s.fetched, count)
        end
      elseif s.desc then
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

-- Whether a stream's head comes after the cursor's anchor job in the merge order (always true without one).
local function afterAnchor(s)
  local a = s.anchored
  if not a or s.afterAnchor then return true end
  local k = s.keys[s.pos]
  if k ~= a.key then
    if s.desc then return k < a.key end
    return k > a.key
  end
  local cmp = cursor.cmp[s.q]
  if cmp ~= 0 then return cmp > 0 end
  local id = s.ids[s.pos]
  -- Ties within one zset are in member order (ZREVRANGE: descending).
  if s.list then return id ~= a.id end
  if s.desc then return id < a.id end
  return id > a.id
end

-- Moves a stream to its first head after the cursor's anchor; false when it is used up.
local function prime(s)
  while head(s) and not afterAnchor(s) do s.pos = s.pos + 1 end
  return head(s)
end

-- The name and creation-time filters, on the fields the summary read anyway.
local function kept(i, f)
  if NAME ~= '' and f[1] ~= NAME then return false end
  if FROM and not FINISHED[i] then
    local created = tonumber(f[2]) or 0
    if created < FROM or created > TO then return false end
  end
  return true
end

--- @include "read-summary"

local jobs = {}
local budget = N
for g, group in ipairs(GROUPS) do
  if budget <= 0 then break end
  if ((not anyWanted) or wanted[g]) and not (cursor and g < cursor.group) then
    local anchored = nil
    if cursor and g == cursor.group then anchored = cursor end
    local streams = {}
    local opening = {}
    for q = 1, Q do
      if (not onlyQueues) or onlyQueues[q] then
        for _, i in ipairs(group.natives) do
          if counts[(q - 1) * S + i] > 0 then opening[#opening + 1] = {q, i} end
        end
      end
    end
    local chunk = firstChunk(budget, #opening)
    for _, qi in ipairs(opening) do
      local q, i = qi[1], qi[2]
      local c = counts[(q - 1) * S + i]
      -- Filters skip jobs, so a filtered stream may read up to the window beyond the page.
      local take = math.min(budget, c)
      if filtered then take = math.min(c, budget + WINDOW) end
      streams[#streams + 1] = openStream(q, i, take, group.desc, anchored, chunk)
    end
    -- Only a stream whose head was just taken needs a new head: the others keep theirs, so each pick compares the
    -- cached keys of the live streams (in stream order, so ties still go to the earlier stream).
    local live = {}
    local desc = group.desc
    local taken = nil
    if budget > 0 then
      for _, s in ipairs(streams) do
        if prime(s) then live[#live + 1] = s end
      end
    end
    while budget > 0 do
      if taken then
        if not prime(live[taken]) then table.remove(live, taken) end
        taken = nil
      end
      local bi, bk = nil, nil
      for k = 1, #live do
        local s = live[k]
        local key = s.keys[s.pos]
        if bi == nil or (desc and key > bk) or ((not desc) and key < bk) then bi, bk = k, key end
      end
      if bi == nil then break end
      local best = live[bi]
      taken = bi
      local id, raw = best.ids[best.pos], best.raw[best.pos]
      best.pos = best.pos + 1
      -- A job removed since its id was listed has no hash: skipped.
      local f
      if POSITIONS_ONLY then
        f = rcall('HMGET', KEYS[best.q] .. id, 'name', 'timestamp')
        if not (f[1] or f[2]) then f = nil end
      else
        f = readSummary(KEYS[best.q] .. id, RESULT_BYTES, TRACE_BYTES)
      end
      if f and kept(best.i, f) then
        local row = {best.q, best.i, id, raw, g}
        if not POSITIONS_ONLY then
          for k = 1, #FIELDS do row[#row + 1] = f[k] end
        end
        jobs[#jobs + 1] = row
        budget = budget - 1
      end
    end
    if filtered then
      for _, s in ipairs(streams) do
        local c = counts[(s.q - 1) * S + s.i]
        if s.fetched >= s.take and s.take < c and s.pos > #s.ids and budget > 0 then complete = 0 end
      end
    end
  end
end

return {counts, paused, jobs, complete}
