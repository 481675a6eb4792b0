/**
 * The Lua scripts that make each state change one atomic Redis step: a record and its index
 * entries (status sets, backlog) change together, and a terminal transition creates the job's
 * webhook delivery in the same step. Updates are compare-and-set on a version number, so a
 * read-modify-write from any process never overwrites a change it did not see.
 */
import type { Redis } from 'ioredis';

const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'doc', ARGV[1], 'v', 1)
redis.call('ZADD', KEYS[2], 0, ARGV[2])
redis.call('ZADD', KEYS[3], 0, ARGV[2])
redis.call('HSET', KEYS[4], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[5], 0, ARGV[2])
return 1`;

// The compare-and-set both updates start with. KEYS: record, old status set, new status set;
// ARGV: expected version, doc, id. Returns -1 (no record) or 0 (version moved on) early.
const VERSIONED_WRITE = `
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return -1 end
if v ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'doc', ARGV[2], 'v', tonumber(v) + 1)
if KEYS[2] ~= KEYS[3] then
  redis.call('ZREM', KEYS[2], ARGV[3])
  redis.call('ZADD', KEYS[3], 0, ARGV[3])
end`;

// KEYS: rec, old status set, new status set, backlog, delivery, delivery pending set
// ARGV: expected version, doc, id, backlog seconds ('' = not in the backlog), delivery doc ('' = none)
const UPDATE = `${VERSIONED_WRITE}
if ARGV[4] == '' then redis.call('HDEL', KEYS[4], ARGV[3]) else redis.call('HSET', KEYS[4], ARGV[3], ARGV[4]) end
if ARGV[5] ~= '' and redis.call('EXISTS', KEYS[5]) == 0 then
  redis.call('HSET', KEYS[5], 'doc', ARGV[5], 'v', 1)
  redis.call('ZADD', KEYS[6], 0, ARGV[3])
end
return 1`;

// KEYS: delivery, old status set, new status set. ARGV: expected version, doc, job id
const UPDATE_DELIVERY = `${VERSIONED_WRITE}
return 1`;

// KEYS: rec, all, 5 status sets, backlog, delivery, 3 delivery sets, idempotency key, owner set. ARGV: id
const DELETE = `
local existed = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
for i = 3, 7 do redis.call('ZREM', KEYS[i], ARGV[1]) end
redis.call('HDEL', KEYS[8], ARGV[1])
redis.call('DEL', KEYS[9])
for i = 10, 12 do redis.call('ZREM', KEYS[i], ARGV[1]) end
if redis.call('GET', KEYS[13]) == ARGV[1] then redis.call('DEL', KEYS[13]) end
redis.call('ZREM', KEYS[14], ARGV[1])
return existed`;

type Call = (keys: string[], args: (string | number)[]) => Promise<number>;

export interface Scripts {
  create: Call;
  update: Call;
  updateDelivery: Call;
  remove: Call;
}

/** Registers the scripts on a client (EVALSHA with a fallback to EVAL, as ioredis does). */
export function defineScripts(redis: Redis): Scripts {
  const define = (name: string, lua: string): Call => {
    redis.defineCommand(name, { lua });
    const fn = (redis as unknown as Record<string, (n: number, ...a: (string | number)[]) => Promise<number>>)[name]!.bind(redis);
    return (keys, args) => fn(keys.length, ...keys, ...args);
  };
  return {
    create: define('whisperJobCreate', CREATE),
    update: define('whisperJobUpdate', UPDATE),
    updateDelivery: define('whisperDeliveryUpdate', UPDATE_DELIVERY),
    remove: define('whisperJobDelete', DELETE),
  };
}
