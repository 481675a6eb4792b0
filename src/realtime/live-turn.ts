/**
 * One turn, from its first sample until its words are final:
 *   open ─► once it holds `cadence.firstDecodeMs` of audio, a partial decode of the whole turn every
 *           `cadence.intervalMs` of new audio (one at a time); the agreement rule commits words,
 *           each commit is one append-only delta
 *   end  ─► the final words: a partial that already covers the speech stands in for the final
 *           decode (finished: no decode at all; in flight: awaited); otherwise it is cancelled
 *           and the turn's audio decoded once more.
 * A turn longer than maxDecodeSeconds is trimmed at a committed word, so no decode sees more.
 */
import { SAMPLE_RATE, type Word } from '../engine/types.js';
import { isAbortError } from '../errors.js';
import { LocalAgreement, toTimed, type TimedWord } from './agreement.js';
import type { Cadence } from './cadence.js';
import { newId } from './ids.js';
import type { PcmBuffer } from './pcm-buffer.js';

/** Audio past the last speech frame a partial must have seen to stand in for the final decode. */
const REUSE_TAIL = Math.round(0.1 * SAMPLE_RATE);
/** Audio a trimmed turn keeps before its end (committed speech the next decodes hear again). */
const TRIM_KEEP_SECONDS = 5;

export interface TurnSettings {
  /** The client's transcription.prompt when the turn opened. */
  prompt: string;
  model: string;
  language: string | null;
}

export interface TurnHost {
  readonly buffer: PcmBuffer;
  readonly maxDecodeSeconds: number;
  /** Decodes `pcm` (the turn's audio from `turn.from`); word times are seconds into `pcm`. */
  decode(turn: LiveTurn, pcm: Float32Array, partial: boolean, signal: AbortSignal): Promise<Word[] | undefined>;
  /** Words that became final during the turn; `audioEnd` is the absolute sample the decode saw up to. */
  committed(turn: LiveTurn, words: TimedWord[], audioEnd: number): void;
  failed(turn: LiveTurn, err: unknown): void;
  /** The text of the turns before (each decode's prompt). */
  previousText(): string;
}

interface Partial {
  upTo: number;
  abort: AbortController;
  words: Promise<TimedWord[] | undefined>;
}

export class LiveTurn {
  readonly id = newId('item');
  /** Seconds of the turn trimmed away so far. */
  trimmed = 0;
  readonly agreement: LocalAgreement;
  private decodedUpTo: number;
  private partial?: Partial;
  /** The newest finished partial: its words and the absolute sample its audio ended at. */
  private latest?: { upTo: number; words: TimedWord[] };
  private ending?: { final: () => Promise<TimedWord[]> };

  constructor(
    private readonly host: TurnHost,
    /** Absolute sample where the turn's audio starts (moves forward when trimmed). */
    public from: number,
    private readonly cadence: Cadence,
    readonly settings: TurnSettings,
  ) {
    this.decodedUpTo = from;
    this.agreement = new LocalAgreement(cadence, () => host.previousText());
  }

  get ended(): boolean {
    return this.ending !== undefined;
  }

  /** Starts a partial decode when enough new audio has come and none is running. */
  maybeDecode(): void {
    if (this.ending || this.partial) return;
    const buffer = this.host.buffer;
    const interval = this.agreement.committed.length ? this.cadence.intervalMs : (this.cadence.firstWordsIntervalMs ?? this.cadence.intervalMs);
    if (buffer.end - this.decodedUpTo < (interval / 1000) * SAMPLE_RATE) return;
    if (this.trimmed === 0 && buffer.end - this.from < (this.cadence.firstDecodeMs / 1000) * SAMPLE_RATE) return;
    const upTo = buffer.end;
    this.decodedUpTo = upTo;
    const abort = new AbortController();
    const offset = this.trimmed;
    const words = this.host
      .decode(this, buffer.copy(this.from, upTo), true, abort.signal)
      .then((w) => toTimed(w, offset))
      .catch((err) => {
        if (!isAbortError(err) && !abort.signal.aborted) this.host.failed(this, err);
        return undefined;
      });
    const partial: Partial = { upTo, abort, words };
    this.partial = partial;
    void words.then((result) => {
      this.partial = undefined;
      if (this.ending || abort.signal.aborted || !result) return;
      this.latest = { upTo, words: result };
      this.host.committed(this, this.agreement.insert(result, (upTo - this.from) / SAMPLE_RATE + this.trimmed), upTo);
      this.maybeTrim(result);
      this.maybeDecode();
    });
  }

  /**
   * The turn's audio ends at absolute sample `end`, its speech at `speechEnd` (the same for a
   * commit). Returns the turn's audio; finalWords() then gives the words not yet sent.
   */
  end(end: number, speechEnd: number, signal: AbortSignal): Float32Array {
    const pcm = this.host.buffer.copy(this.from, end);
    // A commit ends the speech where the audio ends: only a partial of all of it will do.
    const covers = (upTo: number) => upTo >= Math.min(end, speechEnd + REUSE_TAIL);
    const latest = this.latest && covers(this.latest.upTo) ? this.latest.words : undefined;
    const running = this.partial && covers(this.partial.upTo) ? this.partial.words : undefined;
    if (!running) this.partial?.abort.abort();
    const offset = this.trimmed;
    const decode = async () => toTimed(await this.host.decode(this, pcm, false, signal), offset);
    this.ending = {
      final: async () => (latest && !running ? latest : ((await running) ?? (await decode()))),
    };
    return pcm;
  }

  /** The words of the final decode past those already sent. */
  async finalWords(): Promise<TimedWord[]> {
    if (!this.ending) throw new Error('finalWords() before end()');
    return this.agreement.flush(await this.ending.final());
  }

  /** The client cleared the buffer or went away: nothing more is decoded. */
  cancel(): void {
    this.partial?.abort.abort();
    this.ending ??= { final: async () => [] };
  }

  /**
   * Keeps decode cost bounded: once the turn's audio passes 70 % of the limit, cut it at a committed
   * word at least TRIM_KEEP_SECONDS before the audio's end (a sentence end where one is), so the next
   * decodes still hear committed speech before the new: cut right at the last committed word, they
   * heard a second or two from mid-sentence, misread it, and two misreadings agreed (the 80 s clip as
   * one manual turn lost whole phrases, BENCHMARKS.md).
   */
  private maybeTrim(words: TimedWord[]): void {
    const buffer = this.host.buffer;
    const held = (buffer.end - this.from) / SAMPLE_RATE;
    const limit = this.host.maxDecodeSeconds;
    if (held < limit * 0.7) return;
    const audioEnd = this.trimmed + held; // seconds, turn time
    let cut = this.agreement.trimPoint(this.trimmed + 1, audioEnd - TRIM_KEEP_SECONDS);
    if (!cut && held >= limit * 0.95) {
      // Nothing agreed for most of the window: commit the current hypothesis up to its last word.
      this.host.committed(this, this.agreement.flush(words.slice(0, -1)), buffer.end);
      cut = this.agreement.trimPoint(this.trimmed + 1, audioEnd);
    }
    if (!cut) return;
    this.from += Math.round((cut.at - this.trimmed) * SAMPLE_RATE);
    this.trimmed = cut.at;
    this.agreement.markTrim(cut.keep);
    buffer.dropBefore(this.from);
  }
}
