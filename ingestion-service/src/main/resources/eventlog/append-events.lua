-- Appends one partition's share of an ingestion batch to its stream as one entry, leaving out events whose id was
-- appended before within the de-duplication window. Atomic: an id is remembered if and only if its event is in the
-- entry, so a crash cannot lose an event or let a duplicate through. Every key is in the partition's slot.
-- KEYS[1] the stream, KEYS[2] the ids of this window, KEYS[3] the ids of the previous window, KEYS[4] the partition's
-- state (its "appended" count grows by the events appended)
-- ARGV[1] approximate max entries, ARGV[2] seconds this window's set is kept, ARGV[3] ingestion time (epoch ms),
-- then per event: its id, its line (EventLogCodec.record)
-- Returns one character per event: '1' appended, '0' duplicate.
local max_entries, keep_for, ingested = ARGV[1], ARGV[2], ARGV[3]
-- Lua's unpack() is bounded by its stack; larger batches are asked about in chunks
local chunk = 4000
local function members(first, last, step)
  local ids = {}
  for a = first, last, step do
    ids[#ids + 1] = ARGV[a]
  end
  return ids
end
local function ask(key, ids)
  local answers = {}
  for from = 1, #ids, chunk do
    local to = math.min(from + chunk - 1, #ids)
    for _, seen in ipairs(redis.call('SMISMEMBER', key, unpack(ids, from, to))) do
      answers[#answers + 1] = seen
    end
  end
  return answers
end
local ids = members(4, #ARGV, 2)
local seen_now, seen_before = ask(KEYS[2], ids), ask(KEYS[3], ids)
local flags, fresh, lines, in_batch = {}, {}, {}, {}
for j = 1, #ids do
  local id = ids[j]
  if seen_now[j] == 1 or seen_before[j] == 1 or in_batch[id] then
    flags[j] = '0'
  else
    in_batch[id] = true
    flags[j] = '1'
    fresh[#fresh + 1] = id
    lines[#lines + 1] = ARGV[3 + 2 * j]
  end
end
if #fresh > 0 then
  for from = 1, #fresh, chunk do
    redis.call('SADD', KEYS[2], unpack(fresh, from, math.min(from + chunk - 1, #fresh)))
  end
  redis.call('EXPIRE', KEYS[2], keep_for)
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', max_entries, '*', 'kind', 'events', 'v', '1', 'n', #lines,
    'ingested', ingested, 'data', table.concat(lines, '\n'))
  redis.call('HINCRBY', KEYS[4], 'appended', #lines)
end
return table.concat(flags)
