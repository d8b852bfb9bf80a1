--- @include "job-fields"
--- @include "cut"

--[[
  readSummary(jobKey, resultBytes, traceBytes): the FIELDS of one job hash (includes/job-fields.lua) as the snapshot
  returns them: progress, failedReason and returnvalue cut to resultBytes, stacktrace replaced by its newest entry cut
  to traceBytes (false when there is none). nil when the hash has neither name nor timestamp (removed, or not a job).
]]
local function readSummary(jobKey, resultBytes, traceBytes)
  local f = redis.call('HMGET', jobKey, unpack(FIELDS))
  if not (f[1] or f[2]) then return nil end
  f[F_PROGRESS] = cut(f[F_PROGRESS], resultBytes)
  f[F_REASON] = cut(f[F_REASON], resultBytes)
  f[F_RETURN] = cut(f[F_RETURN], resultBytes)
  if f[F_TRACE] then
    local ok, arr = pcall(cjson.decode, f[F_TRACE])
    if ok and type(arr) == 'table' and #arr > 0 and type(arr[#arr]) == 'string' then
      f[F_TRACE] = cut(arr[#arr], traceBytes)
    else
      f[F_TRACE] = false
    end
  end
  for k = 1, #FIELDS do
    if f[k] == nil then f[k] = false end
  end
  return f
end
