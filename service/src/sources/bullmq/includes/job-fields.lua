--[[
  The job hash fields a summary needs, in the order the scripts return them. The TypeScript side reads them by the
  same list (FIELD_NAMES in snapshot-script.ts); test/lua-includes.unit.test.ts proves they agree.
]]
local FIELDS = {'name', 'timestamp', 'processedOn', 'finishedOn', 'progress', 'atm', 'attemptsMade', 'delay',
  'priority', 'pb', 'failedReason', 'returnvalue', 'stacktrace'}
local F_PROGRESS, F_REASON, F_RETURN, F_TRACE = 5, 11, 12, 13
