/**
 * One realtime transcription session: the state machine behind a WebSocket, with no knowledge
 * of the socket. Client frames go in through receive(); server events come out through send().
 *
 *   idle ──append──► (manual: turn open at once | server_vad: waiting for speech)
 *   speech_started ─► turn open (live-turn.ts: partial decodes, append-only deltas)
 *   commit | speech_stopped ─► committed ─► final words ─► last delta ─► completed
 *
 * Events are handled one at a time, in order (a promise chain); decodes run beside them, and
 * turns complete in order (each final decode is prompted with the turns before it).
 */
import { SAMPLE_RATE } from '../engine/types.js';
import { ArrivalClock } from './arrival-clock.js';
import { createAudioDecoder, type AudioDecoderStream } from './audio.js';
import { newId } from './ids.js';
import type { LiveTurn } from './live-turn.js';
import { PcmBuffer } from './pcm-buffer.js';
import { errorEvent, ProtocolError, toProtocolError } from './protocol-error.js';
import { appendPayload, parseClientEvent, type ClientEvent, type Dialect, type SessionConfig, type SessionPatch } from './protocol.js';
import { checkedConfig, defaultConfig } from './session-config.js';
import type { SessionDeps, SessionOptions } from './session-deps.js';
import { renderSession } from './session-render.js';
import { SessionTimers } from './session-timers.js';
import { TurnDetector } from './turn-detector.js';
import { TurnOutput } from './turn-output.js';

export type { PcmTranscribeRequest, RealtimeLimits, RealtimeObserver, SessionDeps, SessionOptions } from './session-deps.js';


export class RealtimeSession {
  readonly id = newId('sess');
  private dialect: Dialect;
  private config: SessionConfig;
  private decoder: AudioDecoderStream;
  private detector?: TurnDetector;
  private readonly buffer = new PcmBuffer();
  private turn?: LiveTurn;
  private readonly output: TurnOutput;
  private chain: Promise<void> = Promise.resolve();
  private readonly aborter = new AbortController();
  private readonly timers: SessionTimers;
  private closed = false;
  private readonly now: () => number;
  private readonly arrivals: ArrivalClock;
  private readonly expiresAt: number;
  private holdsSlot = false;

  constructor(
    private readonly deps: SessionDeps,
    private readonly opts: SessionOptions,
  ) {
    this.now = deps.now ?? (() => performance.now());
    this.arrivals = new ArrivalClock(this.now);
    this.timers = new SessionTimers(deps.limits.idleTimeoutMs, () => {
      this.fail(new ProtocolError(`No client event for ${Math.round(deps.limits.idleTimeoutMs / 1000)} seconds; closing the idle session.`, 'idle_timeout'));
      this.shutdown(1000, 'idle timeout');
    });
    this.dialect = opts.dialect;
    let model = deps.defaultModel;
    try {
      if (opts.model) model = deps.resolveModel(opts.model) && opts.model;
    } catch {
      // The URL names a model this server does not have (an OpenAI realtime model): use the default.
    }
    this.config = defaultConfig(model, deps.vad !== undefined);
    this.decoder = createAudioDecoder('pcm16');
    this.expiresAt = Math.floor(Date.now() / 1000 + deps.limits.maxDurationMs / 1000);
    this.output = new TurnOutput({
      deps,
      buffer: this.buffer,
      arrivals: this.arrivals,
      signal: this.aborter.signal,
      config: () => this.config,
      dialect: () => this.dialect,
      modelName: (m) => this.modelName(m),
      emit: (type, body) => this.emit(type, body),
      now: this.now,
    });
  }

  /**
   * Applies the configuration a client secret carries, then sends `*.created`; or refuses the
   * session when its model has no free session slot.
   */
  start(): boolean {
    if (this.opts.initial) {
      const { dialect, session } = this.opts.initial;
      try {
        const event = parseClientEvent(JSON.stringify({ type: dialect === 'beta' ? 'transcription_session.update' : 'session.update', session }));
        if (event.type === 'session.update') this.config = checkedConfig(this.deps, this.config, dialect, event.patch, null).config;
      } catch (err) {
        // Checked when minted; the server may have changed since (a model removed): say so, start on defaults.
        this.fail(toProtocolError(err));
      }
    }
    const model = this.modelName(this.config.model);
    if (!this.deps.slots.tryAcquire(model)) {
      this.fail(new ProtocolError(`Too many realtime sessions on model '${model}' (limit ${this.deps.limits.maxSessionsPerModel}). Retry later.`, 'session_limit_reached', null, null, 'server_error'));
      this.opts.end(1013, 'session limit reached');
      this.closed = true;
      return false;
    }
    this.holdsSlot = true;
    this.deps.observer?.sessionOpened(model);
    this.decoder = createAudioDecoder(this.config.format);
    if (this.config.turnDetection) this.detector = this.makeDetector();
    this.emit(this.dialect === 'beta' ? 'transcription_session.created' : 'session.created', { session: this.renderSession() });
    this.timers.start(this.deps.limits.maxDurationMs, () => {
      this.fail(new ProtocolError(`Your session hit the maximum duration of ${Math.round(this.deps.limits.maxDurationMs / 1000)} seconds.`, 'session_expired'));
      this.shutdown(1000, 'session expired');
    });
    return true;
  }

  /** One text frame from the client. */
  receive(text: string): void {
    if (this.closed) return;
    this.timers.touch();
    this.chain = this.chain.then(() => this.handle(text)).catch((err) => this.fail(toProtocolError(err)));
  }

  /** A binary frame: not part of the contract. */
  receiveBinary(): void {
    this.timers.touch();
    this.fail(new ProtocolError('Binary frames are not supported: send JSON text events (audio as base64 in input_audio_buffer.append).', 'invalid_event'));
  }

  /** The client went away: abort compute, free the slot. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.timers.stop();
    this.aborter.abort();
    this.turn?.cancel();
    this.detector?.close();
    if (this.holdsSlot) {
      const model = this.modelName(this.config.model);
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
    await this.output.settled();
  }

  // ---- client events ----

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
          return this.update(event.dialect, event.patch, event.eventId ?? null);
        case 'input_audio_buffer.append':
          return await this.append(event.audio, event.eventId ?? null);
        case 'input_audio_buffer.commit':
          return this.commit(event.eventId ?? null);
        case 'input_audio_buffer.clear':
          return this.clearBuffer();
      }
    } catch (err) {
      const e = toProtocolError(err);
      this.fail(new ProtocolError(e.message, e.code, e.param, event.eventId ?? null, e.type));
    }
  }

  private update(dialect: Dialect, patch: SessionPatch, eventId: string | null): void {
    this.dialect = dialect;
    const { config: next, model } = checkedConfig(this.deps, this.config, dialect, patch, eventId);
    const current = this.modelName(this.config.model);
    if (model.name !== current) {
      if (!this.deps.slots.tryAcquire(model.name)) {
        throw new ProtocolError(`Too many realtime sessions on model '${model.name}' (limit ${this.deps.limits.maxSessionsPerModel}).`, 'session_limit_reached', null, eventId, 'server_error');
      }
      this.deps.slots.release(current);
      this.deps.observer?.sessionClosed(current);
      this.deps.observer?.sessionOpened(model.name);
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

  private async append(audio: string, eventId: string | null): Promise<void> {
    const bytes = appendPayload(audio, this.deps.limits.maxAppendBytes, eventId);
    if (bytes.length === 0) return;
    // Decodes trim an open turn to maxDecodeSeconds; if they cannot keep up, refuse rather than grow without bound.
    if (this.buffer.length > 4 * this.deps.limits.maxDecodeSeconds * SAMPLE_RATE) {
      throw new ProtocolError(
        `The input audio buffer holds ${Math.round(this.buffer.length / SAMPLE_RATE)} s of audio not transcribed yet; commit or clear it before appending more.`,
        'input_audio_buffer_full',
        'audio',
        eventId,
      );
    }
    const pcm = this.decoder.push(bytes);
    if (pcm.length === 0) return;
    const startSample = this.buffer.end;
    this.buffer.append(pcm);
    this.arrivals.note(this.buffer.end);

    if (!this.detector) {
      // Manual commit: the whole buffer is the turn.
      this.turn ??= this.output.open(startSample);
      this.turn.maybeDecode();
      return;
    }
    for (const e of await this.detector.push(pcm)) {
      if (e.type === 'speech_started') {
        if (this.turn) continue;
        const from = Math.max(this.buffer.start, e.paddedSample);
        this.buffer.dropBefore(from);
        this.turn = this.output.open(from);
        this.emit('input_audio_buffer.speech_started', { audio_start_ms: Math.round((from / SAMPLE_RATE) * 1000), item_id: this.turn.id });
      } else if (this.turn) {
        this.emit('input_audio_buffer.speech_stopped', { audio_end_ms: Math.round((e.sample / SAMPLE_RATE) * 1000), item_id: this.turn.id });
        this.endTurn(Math.min(this.buffer.end, e.detectedAt), e.sample, this.arrivals.at(e.sample), (e.detectedAt - e.sample) / SAMPLE_RATE);
      }
    }
    if (this.turn) this.turn.maybeDecode();
    else {
      // Waiting for speech: keep only what a prefix padding could reach back to.
      const keep = Math.round(((this.config.turnDetection?.prefixPaddingMs ?? 300) / 1000) * SAMPLE_RATE) + 4096;
      this.buffer.dropBefore(this.buffer.end - keep);
    }
  }

  private commit(eventId: string | null): void {
    const tail = this.decoder.flush();
    if (tail.length > 0) this.buffer.append(tail);
    // server_vad before any speech: the buffer held so far becomes the turn.
    if (!this.turn && this.buffer.length >= SAMPLE_RATE / 10) this.turn = this.output.open(this.buffer.start);
    const samples = this.turn ? this.buffer.end - this.turn.from + Math.round(this.turn.trimmed * SAMPLE_RATE) : this.buffer.length;
    if (!this.turn || samples < SAMPLE_RATE / 10) {
      const ms = Math.round((Math.max(0, samples) / SAMPLE_RATE) * 1000);
      throw new ProtocolError(
        `Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has ${ms}ms of audio.`,
        'input_audio_buffer_commit_empty',
        null,
        eventId,
      );
    }
    this.endTurn(this.buffer.end, this.buffer.end, this.now(), 0);
    this.detector?.reset();
  }

  /** The open turn ends: see TurnOutput.end. */
  private endTurn(end: number, speechEnd: number, endedAt: number, vadWait: number): void {
    const turn = this.turn!;
    this.turn = undefined;
    this.output.end(turn, end, speechEnd, endedAt, vadWait);
  }

  private clearBuffer(): void {
    this.turn?.cancel();
    this.turn = undefined;
    this.buffer.clear();
    this.decoder.reset();
    this.detector?.reset();
    this.emit('input_audio_buffer.cleared', {});
  }

  // ---- plumbing ----

  private makeDetector(): TurnDetector {
    const t = this.config.turnDetection!;
    const stream = this.deps.vad!.createStream({ threshold: t.threshold, prefixPaddingMs: t.prefixPaddingMs, silenceDurationMs: t.silenceDurationMs });
    return new TurnDetector(stream, t, this.buffer.end);
  }

  private modelName(model: string): string {
    try {
      return this.deps.resolveModel(model).name;
    } catch {
      return model;
    }
  }

  private renderSession() {
    return renderSession(this.dialect, this.id, this.config, this.expiresAt);
  }

  private shutdown(code: number, reason: string): void {
    this.opts.end(code, reason);
    this.close();
  }

  private emit(type: string, body: Record<string, unknown>): void {
    if (this.closed) return;
    this.opts.send({ event_id: newId('event'), type, ...body });
  }

  private fail(err: ProtocolError): void {
    if (this.closed) return;
    this.opts.send({ event_id: newId('event'), ...errorEvent(err) });
  }
}
