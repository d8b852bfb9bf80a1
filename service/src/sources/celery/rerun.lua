-- Rerun a finished Celery task, once: only while its stored result is still exactly the one jobscope read (a
-- compare-and-delete), so of two users retrying at once one wins and the other sees the result gone.
-- KEYS[1] celery-task-meta-<id>; KEYS[2] (when broker and results share one Redis) the broker list to push to.
-- ARGV[1] the result value read; ARGV[2] the task message.
local current = redis.call('GET', KEYS[1])
if current ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1])
if #KEYS > 1 then
  redis.call('LPUSH', KEYS[2], ARGV[2])
end
return 1
