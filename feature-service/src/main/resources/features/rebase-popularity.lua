-- Moves the landmark of the decayed popularity scores forward (see apply-batch.lua): every score of
-- every window is multiplied by exp((old - new) / tau), which leaves every reader's result unchanged and
-- keeps the exponents of new events small. Item hashes convert themselves lazily (they keep 'dL').
-- Runs only if the landmark is still the one the caller saw, so concurrent consumers rebase once.
-- KEYS[1] the landmark, KEYS[2..4] the decayed sorted sets (1 h, 24 h, 7 d)
-- ARGV[1] the landmark the caller saw, ARGV[2] the new landmark, ARGV[3..5] the windows' time constants (ms)
-- Returns 1 if it moved the landmark, 0 otherwise.
local current = redis.call('GET', KEYS[1])
if current == false or tonumber(current) ~= tonumber(ARGV[1]) then
  return 0
end
local shift = tonumber(ARGV[1]) - tonumber(ARGV[2])
for w = 1, 3 do
  redis.call('ZUNIONSTORE', KEYS[w + 1], 1, KEYS[w + 1], 'WEIGHTS', tostring(math.exp(shift / tonumber(ARGV[w + 2]))))
end
redis.call('SET', KEYS[1], ARGV[2])
return 1
