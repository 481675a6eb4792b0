/**
 * One realtime transcription session: the state machine behind a WebSocket, with no knowledge
 * of the socket. Client frames go in through receive(); server events come out through send().
 *
 *   idle ──append──► (manual: turn open at once | server_vad: waiting for speech)
 *   speech_started ─► turn open: re-decode every DECODE_INTERVAL of new audio, LocalAgreement-2
 *                     commits words, each commit is one append-only delta
 *   commit | speech_stopped ─► committed ─► final decode ─► last delta ─► completed
 *
 * Events are handled one at a time, in order (a promise chain); decodes run beside them.
 */
import { randomBytes } from 'node:crypto';
import type { Transcript, VoiceActivityDetector } from '../engine/types.js';
import { ApiError, isAbortError } from '../errors.js';
import { LocalAgreement, toTimed, type TimedWord } from './agreement.js';
import { createAudioDecoder, decodeBase64, type AudioDecoderStream } from './audio.js';
import { PcmBuffer } from './pcm-buffer.js';
import {
  errorEvent,
  paramPath,
  parseClientEvent,
  ProtocolError,
  renderSession,
  SERVER_VAD_DEFAULTS,
  type ClientEvent,
  type Dialect,
  type SessionConfig,
  type SessionPatch,
} from './protocol.js';
import { TurnDetector, VAD_RATE } from './turn-detector.js';

const RATE = VAD_RATE;

export interface PcmTranscribeRequest {
  model: string;
  pcm: Float32Array;
  language?: string;
  prompt?: string;
  signal: AbortSignal;
  /** Partial (re-)decodes run greedy; the final decode uses the server's decoding defaults. */
  partial: boolean;
}

export interface RealtimeLimits {
  idleTimeoutMs: number;
  maxDurationMs: number;
  /** Largest decoded audio payload of one append, in bytes. */
  maxAppendBytes: number;
  maxSessionsPerModel: number;
  /** New audio between two re-decodes of an open turn. */
  decodeIntervalMs: number;
  /** Longest audio one decode sees; a longer turn is trimmed at a committed word. */
  maxDecodeSeconds: number;
}

export interface RealtimeObserver {
  sessionOpened(model: string): void;
  sessionClosed(model: string): void;
  /** Seconds from the end of the turn's audio (commit, or end of speech) to `completed`. */
  turnCompleted(model: string, latencySeconds: number, vadWaitSeconds: number): void;
  /** Seconds from the audio a delta's last word ends in arriving to the delta being sent. */
  deltaSent(model: string, lagSeconds: number): void;
}

export interface SessionDeps {
  transcribe(req: PcmTranscribeRequest): Promise<Transcript>;
  /** Resolves a client's model name; throws ApiError (model_not_found, ...) when unusable. */
  resolveModel(name: string): { name: string; multilingual: boolean };
  /** Validates a language code; undefined when unknown. */
  languageCode(input: string): string | undefined;
  vad?: VoiceActivityDetector;
  limits: RealtimeLimits;
  observer?: RealtimeObserver;
  /** Sessions per model, shared by every session of the service. */
  slots: { tryAcquire(model: string): boolean; release(model: string): void };
  /** The model a session starts with when the URL names none of ours. */
  defaultModel: string;
  now?: () => number;
}

export interface SessionOptions {
  dialect: Dialect;
  /** The model named in the connect URL, used when it is one of ours. */
  model: string;
  send(event: Record<string, unknown>): void;
  /** Closes the connection (after the events already sent). */
  end(code: number, reason: string): void;
}

interface Turn {
  id: string;
  /** Absolute sample where the turn's audio starts (moves forward when trimmed). */
  from: number;
  /** Seconds of the turn trimmed away so far. */
  trimmed: number;
  /** Samples of turn audio in total (for usage). */
  agreement: LocalAgreement;
  sent: string;
  decodedUpTo: number;
  decoding?: Promise<void>;
  partialAbort?: AbortController;
  /** Set once the turn ends: absolute end sample, the wall time the audio ended, the VAD's wait. */
  closing?: { end: number; endedAt: number; vadWait: number };
  /** The client's transcription.prompt when the turn opened; previous turns are added per decode. */
  prompt: string;
  model: string;
  language: string | null;
}

const PUNCTUATION = /^[\p{P}]+$/u;

const id = (prefix: string) => `${prefix}_${randomBytes(11).toString('base64url').slice(0, 14)}`;

export class RealtimeSession {
  readonly id = id('sess');
  private dialect: Dialect;
  private config: SessionConfig;
  private decoder: AudioDecoderStream;
  private detector?: TurnDetector;
  private readonly buffer = new PcmBuffer();
  private turn?: Turn;
  private previousItemId: string | null = null;
  private history = '';
  private chain: Promise<void> = Promise.resolve();
  private finalizing: Promise<void> = Promise.resolve();
  private readonly aborter = new AbortController();
  private idleTimer?: NodeJS.Timeout;
  private maxTimer?: NodeJS.Timeout;
  private closed = false;
  private readonly now: () => number;
  /** Wall time at which each absolute sample arrived is estimated from this anchor. */
  private arrivedAt: Array<{ sample: number; at: number }> = [];
  private readonly expiresAt: number;
  private holdsSlot = false;

  constructor(
    private readonly deps: SessionDeps,
    private readonly opts: SessionOptions,
  ) {
    this.now = deps.now ?? (() => performance.now());
    this.dialect = opts.dialect;
    let model = deps.defaultModel;
    try {
      if (opts.model) model = deps.resolveModel(opts.model) && opts.model;
    } catch {
      // The URL names a model this server does not have (an OpenAI realtime model): use the default.
    }
    this.config = {
      format: 'pcm16',
      model,
      language: null,
      prompt: null,
      turnDetection: deps.vad ? { type: 'server_vad', ...SERVER_VAD_DEFAULTS } : null,
      noiseReduction: null,
      include: [],
    };
    this.decoder = createAudioDecoder('pcm16');
    this.expiresAt = Math.floor(Date.now() / 1000 + deps.limits.maxDurationMs / 1000);
  }

  /** Sends `*.created`, or refuses the session when its model has no free session slot. */
  start(): boolean {
    const model = this.resolved(this.config.model).name;
    if (!this.deps.slots.tryAcquire(model)) {
      this.fail(new ProtocolError(`Too many realtime sessions on model '${model}' (limit ${this.deps.limits.maxSessionsPerModel}). Retry later.`, 'session_limit_reached', null, null, 'server_error'));
      this.opts.end(1013, 'session limit reached');
      this.closed = true;
      return false;
    }
    this.holdsSlot = true;
    this.deps.observer?.sessionOpened(model);
    if (this.config.turnDetection) this.detector = this.makeDetector();
    this.emit(this.dialect === 'beta' ? 'transcription_session.created' : 'session.created', { session: this.renderSession() });
    this.touch();
    this.maxTimer = setTimeout(() => {
      this.fail(new ProtocolError(`Your session hit the maximum duration of ${Math.round(this.deps.limits.maxDurationMs / 1000)} seconds.`, 'session_expired'));
      this.shutdown(1000, 'session expired');
    }, this.deps.limits.maxDurationMs);
    this.maxTimer.unref();
    return true;
  }

  /** One text frame from the client. */
  receive(text: string): void {
    if (this.closed) return;
    this.touch();
    this.chain = this.chain.then(() => this.handle(text)).catch((err) => this.fail(toProtocolError(err)));
  }

  /** A binary frame: not part of the contract. */
  receiveBinary(): void {
    this.touch();
    this.fail(new ProtocolError('Binary frames are not supported: send JSON text events (audio as base64 in input_audio_buffer.append).', 'invalid_event'));
  }

  /** The client went away: abort compute, free the slot. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.maxTimer);
    this.aborter.abort();
    this.turn?.partialAbort?.abort();
    this.detector?.close();
    if (this.holdsSlot) {
      const model = this.resolved(this.config.model).name;
      this.deps.slots.release(model);
      this.deps.observer?.sessionClosed(model);
      this.holdsSlot = false;
    }
  }

  /** Resolves once every queued event and turn has been handled (tests, drain). */
  async settled(): Promise<void> {
    let last: Promise<void> | undefined;
    while (last !== this.chain) {
      last = this.chain;
      await last;
    }
    await this.finalizing;
  }

  // ---- event handling ----

  private async handle(text: string): Promise<void> {
    if (this.closed) return;
    let event: ClientEvent;
    try {
      event = parseClientEvent(text);
    } catch (err) {
      this.fail(toProtocolError(err));
      return;
    }
    try {
      switch (event.type) {
        case 'session.update':
          return this.update(event.dialect, event.patch, event.eventId);
        case 'input_audio_buffer.append':
          return await this.append(event.audio, event.eventId);
        case 'input_audio_buffer.commit':
          return this.commit(event.eventId);
        case 'input_audio_buffer.clear':
          return this.clearBuffer();
      }
    } catch (err) {
      const e = toProtocolError(err);
      this.fail(new ProtocolError(e.message, e.code, e.param, event.eventId ?? null, e.type));
    }
  }

  private update(dialect: Dialect, patch: SessionPatch, eventId?: string): void {
    this.dialect = dialect;
    const eid = eventId ?? null;
    const next: SessionConfig = { ...this.config, ...patch };
    if (next.turnDetection && !this.deps.vad) {
      throw new ProtocolError(
        `turn_detection '${next.turnDetection.type}' needs the Silero VAD model, which this server has not loaded; send turn_detection: null and commit the buffer yourself.`,
        'vad_unavailable',
        paramPath(dialect, 'turn_detection'),
        eid,
      );
    }
    let info: { name: string; multilingual: boolean };
    try {
      info = this.deps.resolveModel(next.model);
    } catch (err) {
      const e = toProtocolError(err);
      throw new ProtocolError(e.message, e.code, paramPath(dialect, 'model'), eid, e.type);
    }
    if (next.language) {
      const code = this.deps.languageCode(next.language);
      if (!code) throw new ProtocolError(`Invalid value for language: '${next.language}' is not a language Whisper knows.`, 'invalid_value', paramPath(dialect, 'language'), eid);
      if (!info.multilingual && code !== 'en') {
        throw new ProtocolError(`Model '${next.model}' is English-only; it cannot transcribe language '${next.language}'.`, 'unsupported_language', paramPath(dialect, 'language'), eid);
      }
      next.language = code;
    }
    const current = this.resolved(this.config.model).name;
    if (info.name !== current) {
      if (!this.deps.slots.tryAcquire(info.name)) {
        throw new ProtocolError(`Too many realtime sessions on model '${info.name}' (limit ${this.deps.limits.maxSessionsPerModel}).`, 'session_limit_reached', paramPath(dialect, 'model'), eid, 'server_error');
      }
      this.deps.slots.release(current);
      this.deps.observer?.sessionClosed(current);
      this.deps.observer?.sessionOpened(info.name);
    }
    const formatChanged = next.format !== this.config.format;
    const vadChanged = JSON.stringify(next.turnDetection) !== JSON.stringify(this.config.turnDetection);
    this.config = next;
    if (formatChanged) this.decoder = createAudioDecoder(next.format);
    if (vadChanged) {
      this.detector?.close();
      this.detector = next.turnDetection ? this.makeDetector() : undefined;
    }
    this.emit(this.dialect === 'beta' ? 'transcription_session.updated' : 'session.updated', { session: this.renderSession() });
  }

  private async append(audio: string, eventId?: string): Promise<void> {
    const eid = eventId ?? null;
    const limit = this.deps.limits.maxAppendBytes;
    if (audio.length > Math.ceil(limit / 3) * 4) {
      throw new ProtocolError(`Audio in one append is limited to ${limit} bytes; send smaller chunks.`, 'audio_too_large', 'audio', eid);
    }
    const bytes = decodeBase64(audio);
    if (!bytes) throw new ProtocolError("Invalid 'audio': expected base64-encoded audio bytes.", 'invalid_value', 'audio', eid);
    if (bytes.length === 0) return;
    // Decodes trim an open turn to maxDecodeSeconds; if they cannot keep up, refuse rather than grow without bound.
    const cap = 4 * this.deps.limits.maxDecodeSeconds * RATE;
    if (this.buffer.length > cap) {
      throw new ProtocolError(
        `The input audio buffer holds ${Math.round(this.buffer.length / RATE)} s of audio not transcribed yet; commit or clear it before appending more.`,
        'input_audio_buffer_full',
        'audio',
        eid,
      );
    }
    const pcm = this.decoder.push(bytes);
    if (pcm.length === 0) return;
    const startSample = this.buffer.end;
    this.buffer.append(pcm);
    this.noteArrival(this.buffer.end);

    if (!this.detector) {
      // Manual commit: the whole buffer is the turn.
      if (!this.turn) this.turn = this.openTurn(startSample);
      this.maybeDecode();
      return;
    }
    const events = await this.detector.push(pcm);
    for (const e of events) {
      if (e.type === 'speech_started') {
        if (this.turn) continue;
        const from = Math.max(this.buffer.start, e.paddedSample);
        this.buffer.dropBefore(from);
        this.turn = this.openTurn(from);
        this.emit('input_audio_buffer.speech_started', { audio_start_ms: Math.round((from / RATE) * 1000), item_id: this.turn.id });
      } else if (this.turn) {
        const end = Math.min(this.buffer.end, e.detectedAt);
        this.emit('input_audio_buffer.speech_stopped', { audio_end_ms: Math.round((e.sample / RATE) * 1000), item_id: this.turn.id });
        const vadWait = (e.detectedAt - e.sample) / RATE;
        this.endTurn(end, this.arrival(e.sample), vadWait);
      }
    }
    if (this.turn) this.maybeDecode();
    else {
      // Waiting for speech: keep only what a prefix padding could reach back to.
      const keep = Math.round(((this.config.turnDetection?.prefixPaddingMs ?? 300) / 1000) * RATE) + 4096;
      this.buffer.dropBefore(this.buffer.end - keep);
    }
  }

  private commit(eventId?: string): void {
    const tail = this.decoder.flush();
    if (tail.length > 0) this.buffer.append(tail);
    // server_vad before any speech: the buffer held so far becomes the turn.
    if (!this.turn && this.buffer.length >= RATE / 10) this.turn = this.openTurn(this.buffer.start);
    const from = this.turn ? this.turn.from : this.buffer.start;
    const samples = this.buffer.end - from + (this.turn ? Math.round(this.turn.trimmed * RATE) : 0);
    if (!this.turn || samples < RATE / 10) {
      const ms = Math.round((Math.max(0, samples) / RATE) * 1000);
      throw new ProtocolError(
        `Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has ${ms}ms of audio.`,
        'input_audio_buffer_commit_empty',
        null,
        eventId ?? null,
      );
    }
    this.endTurn(this.buffer.end, this.now(), 0);
    this.detector?.reset();
  }

  private clearBuffer(): void {
    if (this.turn) {
      this.turn.partialAbort?.abort();
      this.turn = undefined;
    }
    this.buffer.clear();
    this.decoder.reset();
    this.detector?.reset();
    this.emit('input_audio_buffer.cleared', {});
  }

  // ---- turns ----

  private openTurn(from: number): Turn {
    return {
      id: id('item'),
      from,
      trimmed: 0,
      agreement: new LocalAgreement(),
      sent: '',
      decodedUpTo: from,
      prompt: this.config.prompt ?? '',
      model: this.config.model,
      language: this.config.language,
    };
  }

  private maybeDecode(): void {
    const turn = this.turn;
    if (!turn || turn.decoding || turn.closing || this.closed) return;
    const interval = (this.deps.limits.decodeIntervalMs / 1000) * RATE;
    if (this.buffer.end - turn.decodedUpTo < interval) return;
    const upTo = this.buffer.end;
    const pcm = this.buffer.copy(turn.from, upTo);
    turn.decodedUpTo = upTo;
    const abort = new AbortController();
    turn.partialAbort = abort;
    turn.decoding = this.decode(turn, pcm, true, abort.signal)
      .then((words) => {
        if (turn.closing || abort.signal.aborted) return;
        const fresh = turn.agreement.insert(words);
        this.sendDelta(turn, fresh, upTo);
        this.maybeTrim(turn, words);
      })
      .catch((err) => {
        if (!isAbortError(err) && !abort.signal.aborted) this.turnFailed(turn, err);
      })
      .finally(() => {
        turn.decoding = undefined;
        turn.partialAbort = undefined;
        if (this.turn === turn) this.maybeDecode();
      });
  }

  /** Keeps decode cost bounded: once the turn's audio passes the limit, cut it at a committed word. */
  private maybeTrim(turn: Turn, words: TimedWord[]): void {
    const held = (this.buffer.end - turn.from) / RATE;
    const limit = this.deps.limits.maxDecodeSeconds;
    if (held < limit * 0.7) return;
    let cutAt = turn.agreement.committedEnd; // seconds, turn time
    if (cutAt - turn.trimmed < 1 && held >= limit * 0.95) {
      // Nothing agreed for most of the window: commit the current hypothesis up to its last word.
      const tail = turn.agreement.flush(words.slice(0, -1));
      this.sendDelta(turn, tail, this.buffer.end);
      cutAt = turn.agreement.committedEnd;
    }
    if (cutAt - turn.trimmed < 1) return;
    const shift = cutAt - turn.trimmed;
    turn.from += Math.round(shift * RATE);
    turn.trimmed = cutAt;
    turn.agreement.markTrim();
    this.buffer.dropBefore(turn.from);
  }

  private endTurn(end: number, endedAt: number, vadWait: number): void {
    const turn = this.turn!;
    this.turn = undefined;
    turn.closing = { end, endedAt, vadWait };
    turn.partialAbort?.abort();
    const pcm = this.buffer.copy(turn.from, end);
    this.buffer.dropBefore(end);
    const usageSeconds = turn.trimmed + pcm.length / RATE;
    this.emit('input_audio_buffer.committed', { previous_item_id: this.previousItemId, item_id: turn.id });
    const item = (status: 'in_progress' | 'completed', transcript: string | null) => ({
      id: turn.id,
      type: 'message',
      object: 'realtime.item',
      status,
      role: 'user',
      content: [{ type: 'input_audio', transcript }],
    });
    if (this.dialect === 'ga') this.emit('conversation.item.added', { previous_item_id: this.previousItemId, item: item('completed', null) });
    else this.emit('conversation.item.created', { previous_item_id: this.previousItemId, item: item('completed', null) });
    this.previousItemId = turn.id;

    // Turns finish in order; a new turn may already be streaming meanwhile.
    const previous = this.finalizing;
    this.finalizing = (async () => {
      await previous;
      // An aborted partial of this turn may still be winding down: its result is dropped (turn.closing).
      if (this.closed) return;
      try {
        const words = await this.decode(turn, pcm, false, this.aborter.signal);
        const tail = turn.agreement.flush(words);
        this.sendDelta(turn, tail, end);
        const transcript = turn.sent;
        this.history = `${this.history} ${transcript}`.trim().slice(-1000);
        this.emit('conversation.item.input_audio_transcription.completed', {
          item_id: turn.id,
          content_index: 0,
          transcript,
          usage: { type: 'duration', seconds: Math.round(usageSeconds * 1000) / 1000 },
          ...(this.config.include.length ? { logprobs: null } : {}),
        });
        if (this.dialect === 'ga') this.emit('conversation.item.done', { previous_item_id: null, item: item('completed', transcript) });
        this.deps.observer?.turnCompleted(this.resolved(turn.model).name, (this.now() - turn.closing!.endedAt) / 1000, turn.closing!.vadWait);
      } catch (err) {
        if (!this.closed && !isAbortError(err)) this.turnFailed(turn, err);
      }
    })();
  }

  /** Decodes a turn's audio; word times come back in turn time (trimmed seconds added). */
  private async decode(turn: Turn, pcm: Float32Array, partial: boolean, signal: AbortSignal): Promise<TimedWord[]> {
    const committedTrimmed = turn.trimmed > 0 ? turn.agreement.committedText : '';
    // As whisper_streaming does: the previous turns' text, then this turn's text trimmed away.
    const context = [this.history, committedTrimmed].filter(Boolean).join(' ').slice(-600);
    const prompt = [turn.prompt, context].filter(Boolean).join(' ') || undefined;
    const both = new AbortController();
    const abort = () => both.abort();
    const sources = [signal, this.aborter.signal];
    for (const s of sources) {
      if (s.aborted) both.abort();
      else s.addEventListener('abort', abort, { once: true });
    }
    try {
      const t = await this.deps.transcribe({ model: turn.model, pcm, language: turn.language ?? undefined, prompt, signal: both.signal, partial });
      return toTimed(t.words, turn.trimmed);
    } finally {
      for (const s of sources) s.removeEventListener('abort', abort);
    }
  }

  private sendDelta(turn: Turn, words: TimedWord[], audioEnd: number): void {
    if (words.length === 0 || this.closed) return;
    // Words are space-separated, except punctuation whisper emits as a word of its own.
    let delta = '';
    for (const w of words) delta += (turn.sent || delta) && !PUNCTUATION.test(w.word) ? ` ${w.word}` : w.word;
    turn.sent += delta;
    this.emit('conversation.item.input_audio_transcription.delta', { item_id: turn.id, content_index: 0, delta });
    this.deps.observer?.deltaSent(this.resolved(turn.model).name, (this.now() - this.arrival(audioEnd)) / 1000);
  }

  private turnFailed(turn: Turn, err: unknown): void {
    const e = toProtocolError(err);
    this.emit('conversation.item.input_audio_transcription.failed', {
      item_id: turn.id,
      content_index: 0,
      error: { type: e.type, code: e.code, message: e.message, param: e.param },
    });
  }

  // ---- plumbing ----

  private makeDetector(): TurnDetector {
    const t = this.config.turnDetection!;
    const stream = this.deps.vad!.createStream({ threshold: t.threshold, prefixPaddingMs: t.prefixPaddingMs, silenceDurationMs: t.silenceDurationMs });
    return new TurnDetector(stream, t);
  }

  private resolved(model: string): { name: string } {
    try {
      return this.deps.resolveModel(model);
    } catch {
      return { name: model };
    }
  }

  private renderSession() {
    return renderSession(this.dialect, this.id, this.config, this.expiresAt);
  }

  private noteArrival(sample: number): void {
    this.arrivedAt.push({ sample, at: this.now() });
    if (this.arrivedAt.length > 512) this.arrivedAt.splice(0, 256);
  }

  /** Wall time at which absolute sample `sample` had arrived. */
  private arrival(sample: number): number {
    for (const a of this.arrivedAt) if (a.sample >= sample) return a.at;
    return this.arrivedAt.at(-1)?.at ?? this.now();
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    if (this.closed) return;
    this.idleTimer = setTimeout(() => {
      this.fail(new ProtocolError(`No client event for ${Math.round(this.deps.limits.idleTimeoutMs / 1000)} seconds; closing the idle session.`, 'idle_timeout'));
      this.shutdown(1000, 'idle timeout');
    }, this.deps.limits.idleTimeoutMs);
    this.idleTimer.unref();
  }

  private shutdown(code: number, reason: string): void {
    this.opts.end(code, reason);
    this.close();
  }

  private emit(type: string, body: Record<string, unknown>): void {
    if (this.closed) return;
    this.opts.send({ event_id: id('event'), type, ...body });
  }

  private fail(err: ProtocolError): void {
    if (this.closed) return;
    this.opts.send({ event_id: id('event'), ...errorEvent(err) });
  }
}

function toProtocolError(err: unknown): ProtocolError {
  if (err instanceof ProtocolError) return err;
  if (err instanceof ApiError) return new ProtocolError(err.message, err.code ?? 'error', err.param, null, err.status >= 500 ? 'server_error' : 'invalid_request_error');
  return new ProtocolError('The server had an error while processing the event.', 'internal_error', null, null, 'server_error');
}
