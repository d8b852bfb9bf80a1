#!lua flags=no-writes
--[[
  jobscope text search: jobs of many BullMQ queues whose name, data, return value or failure reason contains a text
  (plain substring, ASCII case-insensitive), in one read-only call.

  Reads at most `window` jobs per queue and native state: the first ones in display order (as the snapshot lists
  them: running, waiting and finished ones newest first, prioritized and delayed ones next to run first). Within each
  display group the (queue, state) streams are merged by sort key, so when the limit is reached early the hits are the
  first ones in display order. Cost: at most window x states x queues jobs, one HMGET each (of the four matched fields,
  each matched on at most ARGV[8] bytes), one more HMGET per hit, LLEN/ZCARD per queue and state, ranged reads in
  chunks.

  KEYS[i]  queue key prefix "<prefix>:<queue>:"
  ARGV[1]  text to find (non-empty)
  ARGV[2]  window: jobs read per queue and native state at most
  ARGV[3]  limit: stop once this many hits are found
  ARGV[4]  1-based native state indices to read, e.g. "2,3,4" ("" = all); NATIVE in includes/native-states.lua
  ARGV[5]  byte budget of result / error excerpts
  ARGV[6]  byte budget of the traceback excerpt
  ARGV[7]  job id never reported as a hit ("" = none): the caller found it by id already
  ARGV[8]  bytes of each field matched (a longer value is matched on its start)

  Returns { read, inScope, rows }:
    read     jobs read (matched against the text)
    inScope  jobs in the states read (whole lists / sets): read == inScope means every job in scope was read
    rows     { {queueIndex, nativeIndex, jobId, sortKey, field1..field13}, ... } in display order
]]
local needle = string.lower(ARGV[1])
local WINDOW = tonumber(ARGV[2])
local LIMIT = tonumber(ARGV[3])
local RESULT_BYTES = tonumber(ARGV[5])
local TRACE_BYTES = tonumber(ARGV[6])
local SKIP_ID = ARGV[7]
local MATCH_BYTES = tonumber(ARGV[8])
local rcall = redis.call

--- @include "native-states"
--- @include "read-summary"

local wanted = {}
local anyWanted = false
for i in string.gmatch(ARGV[4], '%d+') do
  wanted[tonumber(i)] = true
  anyWanted = true
end

-- As in snapshot.lua: list states sort by a hash field; display groups and their direction.
local LIST_SORT_FIELD = {'processedOn', 'timestamp', 'timestamp'}
local GROUPS = {
  {natives = {1}, desc = true},
  {natives = {2, 3}, desc = true},
  {natives = {4}, desc = false},
  {natives = {5}, desc = false},
  {natives = {6}, desc = true},
  {natives = {7}, desc = true},
  {natives = {8}, desc = true},
}
-- Read for every job: the list sort field (ignored for sets), then what is matched.
local MATCHED = {'name', 'data', 'returnvalue', 'failedReason'}
local CHUNK = 64

--- @include "queue-keys"

local Q = QUEUE_COUNT
local counts = {}
local inScope = 0
for q = 1, Q do
  counts[q] = {}
  for i = 1, #NATIVE do
    local c = 0
    if (not anyWanted) or wanted[i] then
      if IS_LIST[i] then
        c = rcall('LLEN', KEYS[q] .. NATIVE[i])
      else
        c = rcall('ZCARD', KEYS[q] .. NATIVE[i])
      end
    end
    counts[q][i] = c
    inScope = inScope + c
  end
end

local function matches(values)
  for k = 2, #values do
    local v = values[k]
    if v then
      if #v > MATCH_BYTES then v = string.sub(v, 1, MATCH_BYTES) end
      if string.find(string.lower(v), needle, 1, true) then return true end
    end
  end
  return false
end

local function openStream(q, i, order)
  return {q = q, i = i, order = order, key = KEYS[q] .. NATIVE[i], list = IS_LIST[i],
    take = math.min(WINDOW, counts[q][i]), pos = 1, n = 0, fetched = 0, ids = {}, scores = {}}
end

-- Reads the stream's next job into its head (hid, hraw, hkey, hvals); false when the stream is used up.
local function advance(s, desc)
  if s.pos > s.n then
    if s.fetched >= s.take then return false end
    local stop = math.min(s.fetched + CHUNK, s.take) - 1
    -- Consumed ids are dropped chunk by chunk, so memory stays at one chunk per stream.
    s.ids, s.scores, s.n, s.pos = {}, {}, 0, 1
    if s.list then
      for _, id in ipairs(rcall('LRANGE', s.key, s.fetched, stop)) do
        s.n = s.n + 1
        s.ids[s.n] = id
      end
    else
      local r
      if desc then
        r = rcall('ZREVRANGE', s.key, s.fetched, stop, 'WITHSCORES')
      else
        r = rcall('ZRANGE', s.key, s.fetched, stop, 'WITHSCORES')
      end
      for j = 1, #r, 2 do
        s.n = s.n + 1
        s.ids[s.n], s.scores[s.n] = r[j], r[j + 1]
      end
    end
    s.fetched = stop + 1
    if s.n == 0 then return false end
  end
  local id = s.ids[s.pos]
  local values = rcall('HMGET', KEYS[s.q] .. id, s.list and LIST_SORT_FIELD[s.i] or 'timestamp', unpack(MATCHED))
  local raw = s.list and (values[1] or '0') or s.scores[s.pos]
  s.hid, s.hraw, s.hkey, s.hvals = id, raw, tonumber(raw) or 0, values
  s.pos = s.pos + 1
  return true
end

-- The streams of a group are merged with a binary heap on their heads: O(log streams) per job read. Ties go to the
-- stream opened first (queue order, then state order), as in the snapshot.
local function before(a, b, desc)
  if a.hkey ~= b.hkey then
    if desc then return a.hkey > b.hkey end
    return a.hkey < b.hkey
  end
  return a.order < b.order
end

local function siftDown(heap, k, desc)
  local size = #heap
  while true do
    local l, r, m = 2 * k, 2 * k + 1, k
    if l <= size and before(heap[l], heap[m], desc) then m = l end
    if r <= size and before(heap[r], heap[m], desc) then m = r end
    if m == k then return end
    heap[k], heap[m] = heap[m], heap[k]
    k = m
  end
end

local function siftUp(heap, k, desc)
  while k > 1 do
    local p = math.floor(k / 2)
    if not before(heap[k], heap[p], desc) then return end
    heap[k], heap[p] = heap[p], heap[k]
    k = p
  end
end

local read = 0
local rows = {}
local found = 0
for _, group in ipairs(GROUPS) do
  if found >= LIMIT then break end
  local desc = group.desc
  local heap = {}
  local order = 0
  for q = 1, Q do
    for _, i in ipairs(group.natives) do
      if counts[q][i] > 0 then
        order = order + 1
        local s = openStream(q, i, order)
        if advance(s, desc) then
          heap[#heap + 1] = s
          siftUp(heap, #heap, desc)
        end
      end
    end
  end
  while found < LIMIT and #heap > 0 do
    local s = heap[1]
    local id, raw, values = s.hid, s.hraw, s.hvals
    if advance(s, desc) then
      siftDown(heap, 1, desc)
    else
      heap[1] = heap[#heap]
      heap[#heap] = nil
      if #heap > 0 then siftDown(heap, 1, desc) end
    end
    read = read + 1
    -- A job removed since its id was listed has neither name nor timestamp: not a hit.
    if id ~= SKIP_ID and (values[2] or values[1]) and matches(values) then
      local f = readSummary(KEYS[s.q] .. id, RESULT_BYTES, TRACE_BYTES)
      if f then
        local row = {s.q, s.i, id, raw}
        for k = 1, #FIELDS do row[#row + 1] = f[k] end
        rows[#rows + 1] = row
        found = found + 1
      end
    end
  end
end

return {read, inScope, rows}
