-- A partition's owner lease: which feature-service replica applies its log. Held by renewing it within its time to
-- live; a replica that stops renewing loses it, and another takes the partition over.
-- KEYS[1] the lease; ARGV[1] the replica's name, ARGV[2] 'hold' or 'release', ARGV[3] time to live (ms)
-- Returns 1 when the replica holds the lease afterwards.
local holder = redis.call('GET', KEYS[1])
if ARGV[2] == 'release' then
  if holder == ARGV[1] then
    redis.call('DEL', KEYS[1])
  end
  return 0
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
  return 1
end
return 0
