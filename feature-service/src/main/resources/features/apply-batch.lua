-- Applies a batch of event-log entries to the features and acknowledges each entry in the same
-- atomic step. An entry is applied only if this script's XACK of it succeeds, so an entry that another
-- consumer (after claiming it) has already applied and acknowledged is skipped. A crash cannot come
-- between applying and acknowledging: every entry is applied exactly once.
--
-- Co-occurrence: an event on item I pairs I with the user's most recent other items J, adding the event's
-- weight to both I's and J's neighbour sets ('recsys:i:{<id>}:co'). These keys are derived here rather
-- than passed in KEYS, which a single Redis allows; see docs/event-log.md for the cluster path.
--
-- Popularity over time windows uses forward decay: an event of weight w at time t adds
-- w * exp((t - L) / tau) to the window's score, L being the landmark (epoch ms) kept in KEYS[6]; a reader
-- multiplies by exp((L - now) / tau). Scores never need touching as time passes; the landmark moves
-- forward (rebase-popularity.lua) before the exponents grow large. Item hashes remember the landmark
-- their values are relative to ('dL') and are converted when it has moved.
--
-- Every item an entry touches is stamped with this batch's time in the changed-items sorted set
-- (KEYS[7]): the change feed readers keep their copy of item features fresh from (GetChangedItems).
--
-- KEYS[1] the stream, KEYS[2] the all-time popularity sorted set, KEYS[3..5] the decayed sorted sets
-- (1 h, 24 h, 7 d), KEYS[6] the landmark, KEYS[7] the changed-items sorted set, then per entry:
--   event: user recent list, user profile hash, item hash    catalog item: item hash    skipped: none
-- ARGV[1] consumer group, ARGV[2] now (epoch ms), ARGV[3] recent items kept, ARGV[4] user TTL (s),
-- ARGV[5..7] the windows' time constants (ms), ARGV[8] how many of the user's recent items an event pairs
-- with for co-occurrence, ARGV[9] how many neighbours an item keeps, ARGV[10] among how many of the user's last
-- events those items are looked for, then per entry:
--   'e', stream id, item id, recent-list element, type name, occurred at (epoch ms), popularity weight
--   'i', stream id, the catalog entry (base64 of the protobuf Item), item id
--   's', stream id                         (unknown or malformed: acknowledged, not applied)
-- Returns the number of entries applied.
local stream, popular, changed = KEYS[1], KEYS[2], KEYS[7]
local group, now, keep, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local windows = {KEYS[3], KEYS[4], KEYS[5]}
local fields = {'d:1h', 'd:24h', 'd:7d'}
local taus = {tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])}
local landmark = tonumber(redis.call('GET', KEYS[6]) or '-1')
if landmark < 0 then
  landmark = tonumber(now)
  redis.call('SET', KEYS[6], landmark)
end
-- exp() of more than ~700 overflows; the landmark moves long before, this only guards odd clocks
local function growth(exponent)
  return math.exp(math.min(exponent, 600))
end
local co_recent, co_keep, co_look_back = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local function co_key(id)
  return 'recsys:i:{' .. id .. '}:co'
end
local function add_neighbour(of, neighbour, weight)
  local key = co_key(of)
  local score = tonumber(redis.call('ZINCRBY', key, weight, neighbour))
  -- bounded memory: let the set grow to twice its size, then keep the strongest; only a new member
  -- (its score is just this weight) can have made it grow
  if score == tonumber(weight) and redis.call('ZCARD', key) > 2 * co_keep then
    redis.call('ZREMRANGEBYRANK', key, 0, -co_keep - 1)
  end
end
local k, a, applied = 8, 11, 0
while a <= #ARGV do
  local kind, id = ARGV[a], ARGV[a + 1]
  local fresh = redis.call('XACK', stream, group, id) == 1
  if kind == 'e' then
    if fresh then
      local recent, profile, item = KEYS[k], KEYS[k + 1], KEYS[k + 2]
      local item_id, element, type_name, occurred, weight = ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6]
      if co_recent > 0 then
        local paired = {}
        local pairs_made = 0
        for _, previous in ipairs(redis.call('LRANGE', recent, 0, co_look_back - 1)) do
          local other = string.match(previous, '^([^|]+)')
          if other ~= item_id and not paired[other] then
            paired[other] = true
            add_neighbour(item_id, other, weight)
            add_neighbour(other, item_id, weight)
            pairs_made = pairs_made + 1
            if pairs_made == co_recent then
              break
            end
          end
        end
      end
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
      -- one read and one write for all windows; 15 significant digits keep readers on the fast parse path
      local stored = redis.call('HMGET', item, fields[1], fields[2], fields[3], 'dL')
      local item_landmark = tonumber(stored[4] or landmark)
      local updates = {}
      for w = 1, 3 do
        local increment = tonumber(weight) * growth((tonumber(occurred) - landmark) / taus[w])
        local old = tonumber(stored[w] or '0')
        if item_landmark ~= landmark then
          old = old * growth((item_landmark - landmark) / taus[w])
        end
        updates[#updates + 1] = fields[w]
        updates[#updates + 1] = string.format('%.15g', old + increment)
        redis.call('ZINCRBY', windows[w], string.format('%.15g', increment), item_id)
      end
      updates[#updates + 1] = 'dL'
      updates[#updates + 1] = string.format('%d', landmark)
      redis.call('HSET', item, unpack(updates))
      redis.call('ZADD', changed, now, item_id)
      applied = applied + 1
    end
    k = k + 3
    a = a + 7
  elseif kind == 'i' then
    if fresh then
      redis.call('HSET', KEYS[k], 'cat', ARGV[a + 2])
      redis.call('ZADD', changed, now, ARGV[a + 3])
      applied = applied + 1
    end
    k = k + 1
    a = a + 4
  else
    a = a + 2
  end
end
return applied
