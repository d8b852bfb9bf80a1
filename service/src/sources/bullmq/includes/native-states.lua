--[[
  BullMQ's native states: where a job id lives under "<prefix>:<queue>:", in the order the scripts return counts.
  The TypeScript side has the same list as BULLMQ_NATIVE_STATES (native-states.ts); test/lua-includes.unit.test.ts
  proves they agree. `paused` is the legacy v5 list (v6 keeps paused jobs in `wait`).
  IS_LIST[i]: NATIVE[i] is a list (LLEN / LRANGE, in push order); otherwise a sorted set (ZCARD / ZRANGE, by score).
]]
local NATIVE = {'active', 'wait', 'paused', 'prioritized', 'delayed', 'waiting-children', 'failed', 'completed'}
local IS_LIST = {true, true, true, false, false, false, false, false}
