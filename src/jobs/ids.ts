/**
 * Job ids sort by creation time, so every store can list newest-first by id alone (a Redis
 * sorted set, a SQLite primary key) and an `after` cursor is just an id. The shape is a ULID
 * (48-bit millisecond time + 80 random bits, Crockford base32), made monotonic within one
 * process so two jobs in the same millisecond still sort in submission order.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastMs = -1;
let lastRandom: bigint = 0n;

function encode(value: bigint, chars: number): string {
  let out = '';
  for (let i = 0; i < chars; i++) {
    out = ALPHABET[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

export function newJobId(nowMs = Date.now()): string {
  let random: bigint;
  if (nowMs <= lastMs) {
    // Same (or earlier, clock step back) millisecond: keep the time, bump the random part.
    nowMs = lastMs;
    random = (lastRandom + 1n) & ((1n << 80n) - 1n);
  } else {
    random = BigInt(`0x${randomBytes(10).toString('hex')}`);
  }
  lastMs = nowMs;
  lastRandom = random;
  return `job_${encode(BigInt(nowMs), 10)}${encode(random, 16)}`;
}

export const JOB_ID_PATTERN = /^job_[0-9A-HJKMNP-TV-Z]{26}$/;
export const isJobId = (id: string): boolean => JOB_ID_PATTERN.test(id);

/** Blob keys of a job; everything of one job lives under jobKeyPrefix(id). */
export const jobKeyPrefix = (id: string): string => `jobs/${id}/`;
export const inputKey = (id: string): string => `jobs/${id}/input`;
export const resultKey = (id: string): string => `jobs/${id}/result`;
