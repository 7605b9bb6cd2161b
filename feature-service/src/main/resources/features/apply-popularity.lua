-- Step 3 of applying a round: the platform-wide popularity lists and the change feed, for one or more partitions'
-- rounds. Every key is in the {global} slot. Idempotent per partition: the state hash (KEYS[7]) remembers each
-- partition's last round applied here, and a round not after it is skipped.
--
-- Decayed scores are relative to the landmark in KEYS[5] (see rebase-popularity.lua); a round's increments are
-- relative to its own landmark and converted.
--
-- KEYS[1] all-time popularity, KEYS[2..4] the decayed sets (1 h, 24 h, 7 d), KEYS[5] the landmark, KEYS[6] the
-- changed-items set, KEYS[7] the rounds applied
-- ARGV[1] now (epoch ms), ARGV[2..4] the windows' time constants (ms), then per round: partition tag, round id, round
-- landmark, number of items, per item: item id, popularity weight, the three decayed increments
-- Returns the number of rounds applied.
local now = ARGV[1]
local taus = {tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])}
local landmark = tonumber(redis.call('GET', KEYS[5]) or '-1')
local function id_parts(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local function after(id, stored)
  if not stored then
    return true
  end
  local ms, seq = id_parts(id)
  local stored_ms, stored_seq = id_parts(stored)
  return ms > stored_ms or (ms == stored_ms and seq > stored_seq)
end
local pop, decayed, order = {}, {{}, {}, {}}, {}
local a, rounds = 5, 0
while a <= #ARGV do
  local tag, round_id, round_landmark, count = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local first = a + 4
  a = first + 5 * count
  if after(round_id, redis.call('HGET', KEYS[7], tag)) then
    if landmark < 0 then
      landmark = round_landmark
      redis.call('SET', KEYS[5], landmark)
    end
    local scale = {}
    for w = 1, 3 do
      scale[w] = math.exp(math.min((round_landmark - landmark) / taus[w], 600))
    end
    for i = first, a - 1, 5 do
      local id = ARGV[i]
      if not pop[id] then
        pop[id] = 0
        decayed[1][id], decayed[2][id], decayed[3][id] = 0, 0, 0
        order[#order + 1] = id
      end
      pop[id] = pop[id] + tonumber(ARGV[i + 1])
      for w = 1, 3 do
        decayed[w][id] = decayed[w][id] + tonumber(ARGV[i + 1 + w]) * scale[w]
      end
    end
    redis.call('HSET', KEYS[7], tag, round_id)
    rounds = rounds + 1
  end
end
for _, id in ipairs(order) do
  if pop[id] > 0 then
    redis.call('ZINCRBY', KEYS[1], string.format('%.17g', pop[id]), id)
    for w = 1, 3 do
      redis.call('ZINCRBY', KEYS[1 + w], string.format('%.15g', decayed[w][id]), id)
    end
  end
  redis.call('ZADD', KEYS[6], now, id)
end
return rounds
