-- Appends events to the log unless their id was seen within the de-duplication window.
-- Atomic: an id is marked seen if and only if its event is appended, so a crash between the two
-- cannot lose an event or let a duplicate through.
-- KEYS[1]      the stream
-- KEYS[2..n+1] one "seen" key per event
-- ARGV[1]      window in seconds; ARGV[2] approximate max stream length
-- ARGV[3..]    per event: the number of field/value pairs, then the pairs
-- Returns one entry per event: the stream id, or "" for a duplicate.
local window = ARGV[1]
local maxlen = ARGV[2]
local pos = 3
local results = {}
for i = 2, #KEYS do
  local pairs_count = tonumber(ARGV[pos])
  local first = pos + 1
  local last = pos + pairs_count * 2
  if redis.call('SET', KEYS[i], '1', 'NX', 'EX', window) then
    results[#results + 1] = redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', unpack(ARGV, first, last))
  else
    results[#results + 1] = ''
  end
  pos = last + 1
end
return results
