-- Step 4 of applying a round: the round's changes beyond the partition are all applied; forget the stored round.
-- Only the round that was applied: a newer owner's round is left alone.
-- KEYS[1] the partition's round; ARGV[1] the round's id. Returns 1 when it was removed.
if redis.call('HGET', KEYS[1], 'id') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
