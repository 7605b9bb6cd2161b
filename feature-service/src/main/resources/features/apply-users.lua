-- Step 1 of applying a round (docs/feature-store.md): one partition's new log entries, applied to its users' features.
-- Every key is in the partition's slot. Atomic with it: the partition's position ("at", the last entry applied) moves
-- to the round's last entry, and the round's changes outside this slot (items, popularity, co-occurrence; ARGV[4])
-- are stored in the round key until steps 2 and 3 have applied them. A crash anywhere leaves either nothing done or
-- a stored round, which the partition's next owner finishes: every entry's effect lands exactly once.
--
-- The consumer computed the users' changes from their state as it read it just before; that state cannot have changed
-- since, because only the partition's owner writes it, and this script first checks that the caller still is.
--
-- KEYS[1] the partition's state, KEYS[2] its round, KEYS[3] its owner lease, then per user: recent list, profile hash
-- ARGV[1] this consumer's name, ARGV[2] the round's id (its last entry's stream id), ARGV[3] log entries in the round
-- (events and catalog entries), ARGV[4] the round's changes beyond the partition (text, stored as given), ARGV[5] now
-- (epoch ms), ARGV[6] recent events kept, ARGV[7] user TTL (s),
-- then per user: number of recent-list elements, the elements (oldest first), number of event types, (type name,
-- count) pairs, her new last-active time ('' when it does not move)
-- Returns 'ok', 'not-owner', 'unfinished' (a stored round must be finished first) or 'stale' (the round does not
-- follow the partition's position).
local state, round, owner = KEYS[1], KEYS[2], KEYS[3]
local me, round_id, entries, changes, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local keep, ttl = tonumber(ARGV[6]), ARGV[7]
if redis.call('GET', owner) ~= me then
  return 'not-owner'
end
if redis.call('EXISTS', round) == 1 then
  return 'unfinished'
end
local at = redis.call('HGET', state, 'at')
if at then
  local at_ms, at_seq = string.match(at, '^(%d+)-(%d+)$')
  local ms, seq = string.match(round_id, '^(%d+)-(%d+)$')
  at_ms, at_seq, ms, seq = tonumber(at_ms), tonumber(at_seq), tonumber(ms), tonumber(seq)
  if ms < at_ms or (ms == at_ms and seq <= at_seq) then
    return 'stale'
  end
end
local a, k = 8, 4
while a <= #ARGV do
  local recent, profile = KEYS[k], KEYS[k + 1]
  local element_count = tonumber(ARGV[a])
  -- in chunks: Lua's unpack() is bounded by its stack
  for from = a + 1, a + element_count, 1000 do
    redis.call('LPUSH', recent, unpack(ARGV, from, math.min(from + 999, a + element_count)))
  end
  redis.call('LTRIM', recent, 0, keep - 1)
  redis.call('EXPIRE', recent, ttl)
  a = a + element_count + 1
  local type_count = tonumber(ARGV[a])
  for t = 1, type_count do
    redis.call('HINCRBY', profile, 'n:' .. ARGV[a + 2 * t - 1], ARGV[a + 2 * t])
  end
  a = a + 2 * type_count + 1
  if ARGV[a] ~= '' then
    redis.call('HSET', profile, 'last_active', ARGV[a], 'updated', now)
  else
    redis.call('HSET', profile, 'updated', now)
  end
  redis.call('EXPIRE', profile, ttl)
  a = a + 1
  k = k + 2
end
redis.call('HSET', state, 'at', round_id)
redis.call('HINCRBY', state, 'applied', entries)
redis.call('HSET', round, 'id', round_id, 'changes', changes)
return 'ok'
