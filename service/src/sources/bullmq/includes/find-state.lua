--[[
  findState(base, id, maxLen): where job `id` of the queue at `base` ("<prefix>:<queue>:") is.
  Returns nativeIndex (0 = in no state found), sortKey (the sorted set score, '' for lists).
  Sorted sets first (O(log n)), then the lists in NATIVE order (the running one first), each scanned at most maxLen
  entries deep. Needs native-states.
]]
local function findState(base, id, maxLen)
  for i = 1, #NATIVE do
    if not IS_LIST[i] then
      local score = redis.call('ZSCORE', base .. NATIVE[i], id)
      if score then return i, score end
    end
  end
  for i = 1, #NATIVE do
    if IS_LIST[i] and redis.call('LPOS', base .. NATIVE[i], id, 'MAXLEN', maxLen) then return i, '' end
  end
  return 0, ''
end
