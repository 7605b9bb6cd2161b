-- Applies a batch of event-log entries to the features and acknowledges each entry in the same
-- atomic step. An entry is applied only if this script's XACK of it succeeds, so an entry that another
-- consumer (after claiming it) has already applied and acknowledged is skipped. A crash cannot come
-- between applying and acknowledging: every entry is applied exactly once.
--
-- KEYS[1] the stream, KEYS[2] the all-time popularity sorted set, then per entry:
--   event: user recent list, user profile hash, item hash    catalog item: item hash    skipped: none
-- ARGV[1] consumer group, ARGV[2] now (epoch ms), ARGV[3] recent items kept, ARGV[4] user TTL (s), then per entry:
--   'e', stream id, item id, recent-list element, type name, occurred at (epoch ms), popularity weight
--   'i', stream id, the catalog entry (base64 of the protobuf Item)
--   's', stream id                         (unknown or malformed: acknowledged, not applied)
-- Returns the number of entries applied.
local stream, popular = KEYS[1], KEYS[2]
local group, now, keep, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local k, a, applied = 3, 5, 0
while a <= #ARGV do
  local kind, id = ARGV[a], ARGV[a + 1]
  local fresh = redis.call('XACK', stream, group, id) == 1
  if kind == 'e' then
    if fresh then
      local recent, profile, item = KEYS[k], KEYS[k + 1], KEYS[k + 2]
      local item_id, element, type_name, occurred, weight = ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6]
      redis.call('LPUSH', recent, element)
      redis.call('LTRIM', recent, 0, keep - 1)
      redis.call('HINCRBY', profile, 'n:' .. type_name, 1)
      local last = tonumber(redis.call('HGET', profile, 'last_active') or '0')
      if tonumber(occurred) > last then
        redis.call('HSET', profile, 'last_active', occurred, 'updated', now)
      else
        redis.call('HSET', profile, 'updated', now)
      end
      redis.call('EXPIRE', recent, ttl)
      redis.call('EXPIRE', profile, ttl)
      redis.call('HINCRBY', item, 'n:' .. type_name, 1)
      redis.call('HINCRBYFLOAT', item, 'pop', weight)
      redis.call('HSET', item, 'updated', now)
      redis.call('ZINCRBY', popular, weight, item_id)
      applied = applied + 1
    end
    k = k + 3
    a = a + 7
  elseif kind == 'i' then
    if fresh then
      redis.call('HSET', KEYS[k], 'cat', ARGV[a + 2])
      applied = applied + 1
    end
    k = k + 1
    a = a + 3
  else
    a = a + 2
  end
end
return applied
