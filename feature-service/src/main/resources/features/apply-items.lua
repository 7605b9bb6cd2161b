#!lua flags=allow-cross-slot-keys
-- Step 2 of applying a round: one partition round's changes to items, for the items whose keys live on one Redis node
-- (all of them on a single Redis). Idempotent per item: each item hash remembers, per partition, the last round applied
-- to it ('at:<partition tag>'), and a round not after it is skipped, so a round finished twice (after a crash, or by
-- two consumers) changes nothing the second time.
--
-- Decayed popularity uses forward decay: an event of weight w at time t adds w * exp((t - L) / tau) relative to a
-- landmark L; the round's values are relative to its landmark (ARGV[3]), the item's stored ones to 'dL', converted here.
--
-- The items' keys are named here (FeatureKeys: 'recsys:i:{<id>}' and its co-occurrence neighbours, a hash neighbour ->
-- summed weight, 'recsys:i:{<id>}:co') rather than declared: declared keys must share one slot even with
-- allow-cross-slot-keys, which only lets a script reach keys of other slots on the same node.
-- KEYS[1] the first item's hash (where a cluster client sends the script)
-- ARGV[1] the watermark field ('at:<partition tag>'), ARGV[2] the round's id, ARGV[3] the round's landmark (epoch ms),
-- ARGV[4..6] the windows' time constants (ms, 1 h, 24 h, 7 d), ARGV[7] neighbours kept per item, ARGV[8] now,
-- then per item: its id, number of event types, (type name, count) pairs, popularity weight, the three decayed increments,
-- catalog entry ('' when none), number of neighbours, (neighbour, weight) pairs
-- Returns the number of items changed.
local field, round_id, landmark, now = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[8]
local taus = {tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])}
local co_keep = tonumber(ARGV[7])
local windows = {'d:1h', 'd:24h', 'd:7d'}
local function id_parts(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local round_ms, round_seq = id_parts(round_id)
local function applied_before(stored)
  if not stored then
    return false
  end
  local ms, seq = id_parts(stored)
  return ms > round_ms or (ms == round_ms and seq >= round_seq)
end
local a, changed = 9, 0
while a <= #ARGV do
  local hash = 'recsys:i:{' .. ARGV[a] .. '}'
  local co = hash .. ':co'
  a = a + 1
  local type_count = tonumber(ARGV[a])
  local types_at = a + 1
  local p = types_at + 2 * type_count
  local pop, increments = tonumber(ARGV[p]), {tonumber(ARGV[p + 1]), tonumber(ARGV[p + 2]), tonumber(ARGV[p + 3])}
  local catalog = ARGV[p + 4]
  local neighbour_count = tonumber(ARGV[p + 5])
  local neighbours_at = p + 6
  local stored = redis.call('HMGET', hash, field, 'pop', windows[1], windows[2], windows[3], 'dL')
  if not applied_before(stored[1]) then
    local updates = {field, round_id}
    if type_count > 0 then
      for t = 0, type_count - 1 do
        redis.call('HINCRBY', hash, 'n:' .. ARGV[types_at + 2 * t], ARGV[types_at + 2 * t + 1])
      end
      local item_landmark = tonumber(stored[6] or landmark)
      updates[#updates + 1] = 'pop'
      updates[#updates + 1] = string.format('%.17g', tonumber(stored[2] or '0') + pop)
      for w = 1, 3 do
        local old = tonumber(stored[2 + w] or '0')
        if item_landmark ~= landmark then
          old = old * math.exp(math.min((item_landmark - landmark) / taus[w], 600))
        end
        updates[#updates + 1] = windows[w]
        -- 15 significant digits keep readers on the fast parse path
        updates[#updates + 1] = string.format('%.15g', old + increments[w])
      end
      updates[#updates + 1] = 'dL'
      updates[#updates + 1] = string.format('%d', landmark)
      updates[#updates + 1] = 'updated'
      updates[#updates + 1] = now
    end
    if catalog ~= '' then
      updates[#updates + 1] = 'cat'
      updates[#updates + 1] = catalog
    end
    redis.call('HSET', hash, unpack(updates))
    if neighbour_count > 0 then
      local grew = false
      for n = 0, neighbour_count - 1 do
        local weight = ARGV[neighbours_at + 2 * n + 1]
        local score = tonumber(redis.call('HINCRBYFLOAT', co, ARGV[neighbours_at + 2 * n], weight))
        -- only a new neighbour (its weight is just this one) can have made the set grow
        if score == tonumber(weight) then
          grew = true
        end
      end
      -- bounded memory: the set may grow to twice its size, then keeps the strongest (ties: the greater ids stay, as
      -- a sorted set ranks them)
      if grew and redis.call('HLEN', co) > 2 * co_keep then
        local all = redis.call('HGETALL', co)
        local scores = {}
        for i = 2, #all, 2 do
          scores[#scores + 1] = tonumber(all[i])
        end
        table.sort(scores)
        local threshold = scores[#scores - co_keep + 1]
        local weakest, tied, above = {}, {}, 0
        for i = 1, #all, 2 do
          local score = tonumber(all[i + 1])
          if score < threshold then
            weakest[#weakest + 1] = all[i]
          elseif score == threshold then
            tied[#tied + 1] = all[i]
          else
            above = above + 1
          end
        end
        local extra = #tied - (co_keep - above)
        if extra > 0 then
          table.sort(tied)
          for i = 1, extra do
            weakest[#weakest + 1] = tied[i]
          end
        end
        redis.call('HDEL', co, unpack(weakest))
      end
    end
    changed = changed + 1
  end
  a = neighbours_at + 2 * neighbour_count
end
return changed
