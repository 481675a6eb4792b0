/**
 * What a session says about its turns: the decodes they ask for (prompted with the turns
 * before), the append-only deltas, `committed` and the item events, `completed` in turn order,
 * and `failed`. session.ts decides when a turn opens and ends; this writes its events.
 */
import { SAMPLE_RATE, type Word } from '../engine/types.js';
import { isAbortError } from '../errors.js';
import type { ArrivalClock } from './arrival-clock.js';
import { cadenceFor } from './cadence.js';
import { LiveTurn, type TurnHost } from './live-turn.js';
import { INCLUDE_LOGPROBS, logprobOf, type Logprob } from './logprobs.js';
import type { PcmBuffer } from './pcm-buffer.js';
import { toProtocolError } from './protocol-error.js';
import type { Dialect, SessionConfig } from './protocol.js';
import type { TimedWord } from './seam.js';
import type { SessionDeps } from './session-deps.js';

const PUNCTUATION = /^[\p{P}]+$/u;

export interface TurnOutputContext {
  readonly deps: Pick<SessionDeps, 'transcribe' | 'observer' | 'limits'>;
  readonly buffer: PcmBuffer;
  readonly arrivals: ArrivalClock;
  /** Fires when the session closes: every decode stops. */
  readonly signal: AbortSignal;
  config(): SessionConfig;
  dialect(): Dialect;
  modelName(model: string): string;
  emit(type: string, body: Record<string, unknown>): void;
  now(): number;
}

/** What a turn has sent so far: the transcript and its logprobs. */
interface Sent {
  text: string;
  logprobs: Logprob[];
}

export class TurnOutput {
  private readonly host: TurnHost;
  private readonly sent = new WeakMap<LiveTurn, Sent>();
  private previousItemId: string | null = null;
  /** The text of earlier turns, the prompt of later ones. */
  private history = '';
  private finalizing: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: TurnOutputContext) {
    this.host = {
      buffer: ctx.buffer,
      maxDecodeSeconds: ctx.deps.limits.maxDecodeSeconds,
      decode: (turn, pcm, partial, signal) => this.decode(turn, pcm, partial, signal),
      committed: (turn, words, audioEnd) => this.sendDelta(turn, words, audioEnd),
      failed: (turn, err) => this.failed(turn, err),
      previousText: () => this.history,
    };
  }

  open(from: number): LiveTurn {
    const c = this.ctx.config();
    const turn = new LiveTurn(this.host, from, cadenceFor(c.delay, this.ctx.deps.limits), { prompt: c.prompt ?? '', model: c.model, language: c.language });
    this.sent.set(turn, { text: '', logprobs: [] });
    return turn;
  }

  /**
   * `turn` ends at absolute sample `end` (its speech at `speechEnd`; `endedAt` is the wall time
   * the speech's last sample arrived, `vadWait` the seconds the VAD waited for silence).
   */
  end(turn: LiveTurn, end: number, speechEnd: number, endedAt: number, vadWait: number): void {
    const pcm = turn.end(end, speechEnd, this.ctx.signal);
    this.ctx.buffer.dropBefore(end);
    const usageSeconds = turn.trimmed + pcm.length / SAMPLE_RATE;
    const ga = this.ctx.dialect() === 'ga';
    this.ctx.emit('input_audio_buffer.committed', { previous_item_id: this.previousItemId, item_id: turn.id });
    const item = (transcript: string | null) => ({ id: turn.id, type: 'message', object: 'realtime.item', status: 'completed', role: 'user', content: [{ type: 'input_audio', transcript }] });
    this.ctx.emit(ga ? 'conversation.item.added' : 'conversation.item.created', { previous_item_id: this.previousItemId, item: item(null) });
    this.previousItemId = turn.id;

    const previous = this.finalizing;
    this.finalizing = (async () => {
      await previous;
      if (this.ctx.signal.aborted) return;
      try {
        this.sendDelta(turn, await turn.finalWords(), end);
        const sent = this.sent.get(turn)!;
        this.history = `${this.history} ${sent.text}`.trim().slice(-1000);
        this.ctx.emit('conversation.item.input_audio_transcription.completed', {
          item_id: turn.id,
          content_index: 0,
          transcript: sent.text,
          usage: { type: 'duration', seconds: Math.round(usageSeconds * 1000) / 1000 },
          ...(this.wantsLogprobs() ? { logprobs: sent.logprobs } : {}),
        });
        if (this.ctx.dialect() === 'ga') this.ctx.emit('conversation.item.done', { previous_item_id: null, item: item(sent.text) });
        this.ctx.deps.observer?.turnCompleted(this.ctx.modelName(turn.settings.model), (this.ctx.now() - endedAt) / 1000, vadWait);
      } catch (err) {
        if (!this.ctx.signal.aborted && !isAbortError(err)) this.failed(turn, err);
      }
    })();
  }

  /** Resolves once every ended turn has completed (or failed). */
  settled(): Promise<void> {
    return this.finalizing;
  }

  /**
   * One decode of a turn's audio, prompted with the earlier turns' text. Not with the turn's own words
   * trimmed away: a trimmed turn keeps seconds of committed speech in its audio (live-turn.ts), and
   * with its text in the prompt as well, tiny.en recited the prompt's last sentence mid-turn.
   */
  private async decode(turn: LiveTurn, pcm: Float32Array, partial: boolean, signal: AbortSignal): Promise<Word[] | undefined> {
    const context = this.ctx.deps.limits.turnContext === false ? '' : this.history.slice(-600);
    const prompt = [turn.settings.prompt, context].filter(Boolean).join(' ') || undefined;
    const t = await this.ctx.deps.transcribe({
      model: turn.settings.model,
      pcm,
      language: turn.settings.language ?? undefined,
      prompt,
      signal: AbortSignal.any([signal, this.ctx.signal]),
      partial,
      shortWindow: this.ctx.deps.limits.audioCtx !== 'off',
    });
    return t.words;
  }

  private sendDelta(turn: LiveTurn, words: TimedWord[], audioEnd: number): void {
    if (words.length === 0 || this.ctx.signal.aborted) return;
    const sent = this.sent.get(turn)!;
    // Words are space-separated, except punctuation whisper emits as a word of its own.
    let delta = '';
    const logprobs: Logprob[] = [];
    for (const w of words) {
      const piece = (sent.text || delta) && !PUNCTUATION.test(w.word) ? ` ${w.word}` : w.word;
      delta += piece;
      logprobs.push(logprobOf(piece, w.probability));
    }
    sent.text += delta;
    sent.logprobs.push(...logprobs);
    this.ctx.emit('conversation.item.input_audio_transcription.delta', { item_id: turn.id, content_index: 0, delta, ...(this.wantsLogprobs() ? { logprobs } : {}) });
    this.ctx.deps.observer?.deltaSent(this.ctx.modelName(turn.settings.model), (this.ctx.now() - this.ctx.arrivals.at(audioEnd)) / 1000);
  }

  private failed(turn: LiveTurn, err: unknown): void {
    const e = toProtocolError(err);
    this.ctx.emit('conversation.item.input_audio_transcription.failed', {
      item_id: turn.id,
      content_index: 0,
      error: { type: e.type, code: e.code, message: e.message, param: e.param },
    });
  }

  private wantsLogprobs(): boolean {
    return this.ctx.config().include.includes(INCLUDE_LOGPROBS);
  }
}
