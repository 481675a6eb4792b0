/**
 * The transcription `delay` setting mapped onto how a turn is decoded: how much new audio
 * starts another partial decode, and when a word may be sent (see agreement.ts).
 *  - minimal / low: one decode commits the words that end `margin` seconds before its edge;
 *  - medium / high / xhigh: two consecutive decodes must agree (LocalAgreement-2), further apart,
 *    and an agreed word the newer decode is unsure of waits (COMMIT_MIN_PROBABILITY); medium decodes
 *    every 250 ms until the turn's first word is sent, so the gate does not make the first words late.
 * Without a `delay` the server's REALTIME_* settings apply (by default the same as medium). The first
 * partial waits for half a second of the turn: shorter decodes guess words that two of them may agree
 * on, and a sent word is final.
 */
import type { AgreementRule } from './agreement.js';
import type { Delay } from './protocol.js';
import type { RealtimeLimits } from './session-deps.js';

export interface Cadence extends AgreementRule {
  /** New audio (ms) between two partial decodes; decodes never overlap within a session. */
  intervalMs: number;
  /**
   * New audio (ms) between partial decodes until the turn's first word is sent (default `intervalMs`):
   * with the confidence gate the first words wait for a decode that is sure of them, and more
   * decodes at the start find one sooner.
   */
  firstWordsIntervalMs?: number;
  /** Turn audio (ms) before the first partial decode. */
  firstDecodeMs: number;
}

/** Word probability below which medium, high and xhigh hold an agreed word back (agreement.ts, minProbability). */
export const COMMIT_MIN_PROBABILITY = 0.5;

export const DELAY_CADENCE: Readonly<Record<Delay, Cadence>> = {
  minimal: { intervalMs: 200, firstDecodeMs: 500, margin: 0.3 },
  low: { intervalMs: 300, firstDecodeMs: 500, margin: 0.6 },
  medium: { intervalMs: 500, firstDecodeMs: 500, firstWordsIntervalMs: 250, minProbability: COMMIT_MIN_PROBABILITY },
  high: { intervalMs: 1000, firstDecodeMs: 1000, minProbability: COMMIT_MIN_PROBABILITY },
  xhigh: { intervalMs: 2000, firstDecodeMs: 2000, minProbability: COMMIT_MIN_PROBABILITY },
};

/**
 * The server's cadence (REALTIME_DECODE_INTERVAL_MS, REALTIME_FIRST_DECODE_MS, REALTIME_COMMIT_HOLDBACK_MS,
 * REALTIME_COMMIT_MIN_PROBABILITY) applies when the client sets no `delay`.
 */
export const cadenceFor = (
  delay: Delay | null,
  server: Pick<RealtimeLimits, 'decodeIntervalMs' | 'firstDecodeMs' | 'firstWordsIntervalMs' | 'commitHoldbackMs' | 'commitMinProbability'>,
): Cadence =>
  delay
    ? DELAY_CADENCE[delay]
    : {
        intervalMs: server.decodeIntervalMs,
        firstDecodeMs: server.firstDecodeMs,
        ...(server.firstWordsIntervalMs && server.firstWordsIntervalMs !== server.decodeIntervalMs ? { firstWordsIntervalMs: server.firstWordsIntervalMs } : {}),
        ...(server.commitHoldbackMs ? { holdback: server.commitHoldbackMs / 1000 } : {}),
        ...(server.commitMinProbability ? { minProbability: server.commitMinProbability } : {}),
      };
