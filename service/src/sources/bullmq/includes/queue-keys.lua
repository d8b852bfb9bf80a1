-- KEYS are queue key prefixes "<prefix>:<queue>:". On a Redis Cluster one more key, the first prefix without its
-- trailing ":", may follow (see LuaScript.run): it never exists and is declared only so that a call on a slot being
-- migrated is refused with TRYAGAIN instead of running on half-moved keys. It is not a queue.
local QUEUE_COUNT = #KEYS
if QUEUE_COUNT > 0 and string.sub(KEYS[QUEUE_COUNT], -1) ~= ':' then
  QUEUE_COUNT = QUEUE_COUNT - 1
end
