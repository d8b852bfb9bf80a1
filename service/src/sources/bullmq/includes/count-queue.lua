--- @include "native-states"

--[[
  countQueue(base): counts of one queue, base = "<prefix>:<queue>:". O(1): one LLEN or ZCARD per native state.
  Returns counts, paused:
    counts  #NATIVE integers in NATIVE order
    paused  1 when meta.paused is set, else 0
]]
local function countQueue(base)
  local counts = {}
  for i = 1, #NATIVE do
    if IS_LIST[i] then
      counts[i] = redis.call('LLEN', base .. NATIVE[i])
    else
      counts[i] = redis.call('ZCARD', base .. NATIVE[i])
    end
  end
  return counts, redis.call('HEXISTS', base .. 'meta', 'paused')
end
