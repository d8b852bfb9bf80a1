--- @include "native-states"

--[[
  locateJob(base, id, maxLen): where job `id` of the queue at base "<prefix>:<queue>:" sits. Sorted sets first (ZSCORE,
  O(1) each), then the lists in NATIVE order with LPOS bounded by maxLen (so a huge wait list cannot stall the call).
  Returns nativeIndex (0 = in no state found), sortKey (the zset score; '' for a list).
]]
local function locateJob(base, id, maxLen)
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
