-- Appends one partition's share of an ingestion batch to its stream as one entry, leaving out events whose id was
-- appended before within the de-duplication window. Atomic: an id is remembered if and only if its event is in the
-- entry, so a crash cannot lose an event or let a duplicate through. Every key is in the partition's slot.
-- KEYS[1] the stream, KEYS[2] the ids of this window, KEYS[3] the ids of the previous window, KEYS[4] the partition's
-- state (its "appended" count grows by the events appended)
-- ARGV[1] approximate max entries, ARGV[2] seconds this window's set is kept, ARGV[3] ingestion time (epoch ms),
-- ARGV[4] the events' lines (EventLogCodec.record) joined by '\n', ARGV[5] the lines' lengths, comma-separated,
-- ARGV[6] the request's W3C traceparent (EventLogCodec.TRACE_PARENT; empty when not traced), then the events' ids, in
-- the same order
-- Returns one character per event: '1' appended, '0' duplicate.
local max_entries, keep_for, ingested, data, trace_parent = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[6]
local first, count = 7, #ARGV - 6
-- Lua's unpack() is bounded by its stack; larger batches go in chunks
local chunk = 4000
local function ask(key)
  local answers = {}
  for from = first, #ARGV, chunk do
    for _, seen in ipairs(redis.call('SMISMEMBER', key, unpack(ARGV, from, math.min(from + chunk - 1, #ARGV)))) do
      answers[#answers + 1] = seen
    end
  end
  return answers
end
local seen_now, seen_before = ask(KEYS[2]), ask(KEYS[3])
local flags, fresh, in_batch = {}, {}, {}
for j = 1, count do
  local id = ARGV[first + j - 1]
  if seen_now[j] == 1 or seen_before[j] == 1 or in_batch[id] then
    flags[j] = '0'
  else
    in_batch[id] = true
    flags[j] = '1'
    fresh[#fresh + 1] = j
  end
end
if #fresh > 0 then
  local ids = {}
  for i, j in ipairs(fresh) do
    ids[i] = ARGV[first + j - 1]
  end
  for from = 1, #ids, chunk do
    redis.call('SADD', KEYS[2], unpack(ids, from, math.min(from + chunk - 1, #ids)))
  end
  redis.call('EXPIRE', KEYS[2], keep_for)
  if #fresh < count then
    -- some were duplicates (rare): keep the other lines
    local starts, at = {}, 1
    for length in string.gmatch(ARGV[5], '%d+') do
      starts[#starts + 1] = at
      at = at + tonumber(length) + 1
    end
    local lines = {}
    for i, j in ipairs(fresh) do
      local stop = (j < count) and (starts[j + 1] - 2) or #data
      lines[i] = string.sub(data, starts[j], stop)
    end
    data = table.concat(lines, '\n')
  end
  if trace_parent == '' then
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', max_entries, '*', 'kind', 'events', 'v', '1', 'n', #fresh,
      'ingested', ingested, 'data', data)
  else
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', max_entries, '*', 'kind', 'events', 'v', '1', 'n', #fresh,
      'ingested', ingested, 'data', data, 'tp', trace_parent)
  end
  redis.call('HINCRBY', KEYS[4], 'appended', #fresh)
end
return table.concat(flags)
