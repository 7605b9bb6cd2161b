-- Step 1 of applying a round (docs/feature-store.md): one partition's new log entries, applied to its users' features.
-- Every key is in the partition's slot. Atomic with it: the partition's position ("at", the last entry applied) moves
-- to the round's last entry, and the round's changes outside this slot (items, popularity; ARGV[4] from the caller, the
-- co-occurrence pairs from here) are stored in the round key until steps 2 and 3 have applied them. A crash anywhere
-- leaves either nothing done or a stored round, which the partition's next owner finishes: every entry's effect lands
-- exactly once.
--
-- Co-occurrence: an event on item I pairs I with the first co_recent distinct other items among the user's last
-- co_look_back events before it (this round's earlier events included), each pair adding the event's weight both ways.
--
-- KEYS[1] the partition's state, KEYS[2] its round, KEYS[3] its owner lease, then per user: recent list, profile hash
-- ARGV[1] this consumer's name, ARGV[2] the round's id (its last entry's stream id), ARGV[3] log entries in the round
-- (events and catalog entries), ARGV[4] the round's item and popularity changes (text, stored as given), ARGV[5] now
-- (epoch ms), ARGV[6] recent events kept, ARGV[7] user TTL (s), ARGV[8] co_recent, ARGV[9] co_look_back,
-- then per event: user number (1-based), item id, recent-list element, type name, occurred at (epoch ms), weight
-- Returns {status, co-occurrence pairs as text 'item\tneighbour\tweight' lines}; status is 'ok', 'not-owner',
-- 'unfinished' (a stored round must be finished first) or 'stale' (the round does not follow the partition's position).
local state, round, owner = KEYS[1], KEYS[2], KEYS[3]
local me, round_id, entries, changes, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local keep, ttl = tonumber(ARGV[6]), ARGV[7]
local co_recent, co_look_back = tonumber(ARGV[8]), tonumber(ARGV[9])
if redis.call('GET', owner) ~= me then
  return {'not-owner', ''}
end
if redis.call('EXISTS', round) == 1 then
  return {'unfinished', ''}
end
local function id_parts(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local at = redis.call('HGET', state, 'at')
if at then
  local at_ms, at_seq = id_parts(at)
  local ms, seq = id_parts(round_id)
  if ms < at_ms or (ms == at_ms and seq <= at_seq) then
    return {'stale', ''}
  end
end
-- per user: the events of this round in order
local users = {}
local a = 10
while a <= #ARGV do
  local u = tonumber(ARGV[a])
  local list = users[u]
  if not list then
    list = {}
    users[u] = list
  end
  list[#list + 1] = a
  a = a + 6
end
local pairs_weight, pair_order = {}, {}
local function add_pair(x, y, weight)
  local key = x .. '\t' .. y
  local sum = pairs_weight[key]
  if not sum then
    pair_order[#pair_order + 1] = key
    sum = 0
  end
  pairs_weight[key] = sum + weight
end
local events = 0
for u, list in pairs(users) do
  local recent, profile = KEYS[2 + 2 * u], KEYS[3 + 2 * u]
  -- newest first: this round's events (added at the front as they come), then the stored list
  local before = redis.call('LRANGE', recent, 0, co_look_back - 1)
  local items_before = {}
  for i, element in ipairs(before) do
    items_before[i] = string.match(element, '^([^|]+)')
  end
  local round_items = {}
  local elements = {}
  local counts, type_order = {}, {}
  local last_active = nil
  for _, e in ipairs(list) do
    local item_id, element, type_name, occurred, weight =
      ARGV[e + 1], ARGV[e + 2], ARGV[e + 3], tonumber(ARGV[e + 4]), tonumber(ARGV[e + 5])
    if co_recent > 0 then
      local paired, made, looked = {}, 0, 0
      -- this round's earlier events, newest first, then the stored ones, co_look_back in all
      for i = #round_items, 1, -1 do
        if looked == co_look_back or made == co_recent then
          break
        end
        looked = looked + 1
        local other = round_items[i]
        if other ~= item_id and not paired[other] then
          paired[other] = true
          add_pair(item_id, other, weight)
          add_pair(other, item_id, weight)
          made = made + 1
        end
      end
      for i = 1, #items_before do
        if looked == co_look_back or made == co_recent then
          break
        end
        looked = looked + 1
        local other = items_before[i]
        if other ~= item_id and not paired[other] then
          paired[other] = true
          add_pair(item_id, other, weight)
          add_pair(other, item_id, weight)
          made = made + 1
        end
      end
    end
    round_items[#round_items + 1] = item_id
    elements[#elements + 1] = element
    if not counts[type_name] then
      counts[type_name] = 0
      type_order[#type_order + 1] = type_name
    end
    counts[type_name] = counts[type_name] + 1
    if not last_active or occurred > last_active then
      last_active = occurred
    end
    events = events + 1
  end
  redis.call('LPUSH', recent, unpack(elements))
  redis.call('LTRIM', recent, 0, keep - 1)
  redis.call('EXPIRE', recent, ttl)
  for _, type_name in ipairs(type_order) do
    redis.call('HINCRBY', profile, 'n:' .. type_name, counts[type_name])
  end
  local stored_last = tonumber(redis.call('HGET', profile, 'last_active') or '0')
  if last_active > stored_last then
    redis.call('HSET', profile, 'last_active', string.format('%d', last_active), 'updated', now)
  else
    redis.call('HSET', profile, 'updated', now)
  end
  redis.call('EXPIRE', profile, ttl)
end
local lines = {}
for i, key in ipairs(pair_order) do
  lines[i] = key .. '\t' .. string.format('%.17g', pairs_weight[key])
end
local co = table.concat(lines, '\n')
redis.call('HSET', state, 'at', round_id)
redis.call('HINCRBY', state, 'applied', entries)
redis.call('HSET', round, 'id', round_id, 'changes', changes, 'co', co)
return {'ok', co}
