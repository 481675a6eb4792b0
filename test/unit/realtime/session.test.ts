/** The session state machine without a socket: both dialects, streaming deltas, turns, limits. */
import { describe, expect, it } from 'vitest';
import { createRealtimeService, type RealtimeServiceDeps } from '../../../src/realtime/service.js';
import type { RealtimeSession } from '../../../src/realtime/session.js';
import { errors } from '../../../src/errors.js';
import { fakeVad } from '../../support/fake-vad.js';
import { scriptedTranscriber, silence24k, spokenWords, wordsText, type ScriptedTranscriber } from '../../support/realtime-fakes.js';

type Ev = Record<string, any>;

function setup(opts: { vad?: boolean; limits?: Partial<RealtimeServiceDeps['limits']>; transcriber?: ScriptedTranscriber; dialect?: 'ga' | 'beta' } = {}) {
  const transcribe = opts.transcriber ?? scriptedTranscriber();
  const events: Ev[] = [];
  const ended: Array<[number, string]> = [];
  const vad = opts.vad ? fakeVad() : undefined;
  const service = createRealtimeService({
    transcribe,
    resolveModel: (name) => {
      if (name === 'whisper-1' || name === 'tiny.en') return { name: 'tiny.en', multilingual: false };
      if (name === 'base') return { name: 'base', multilingual: true };
      throw errors.modelNotFound(name);
    },
    languageCode: (l) => (['en', 'de', 'fr'].includes(l) ? l : undefined),
    defaultModel: 'tiny.en',
    vad,
    limits: { idleTimeoutMs: 60_000, maxDurationMs: 600_000, maxAppendBytes: 1_000_000, maxSessionsPerModel: 4, decodeIntervalMs: 500, firstDecodeMs: 500, maxDecodeSeconds: 30, ...opts.limits },
  });
  const open = () =>
    service.open({ dialect: opts.dialect ?? 'ga', model: 'gpt-4o-transcribe', send: (e) => events.push(e), end: (c, r) => ended.push([c, r]) });
  const session = open()!;
  const send = (e: Ev) => session.receive(JSON.stringify(e));
  /**
   * Streams audio in 100 ms appends, letting each be handled (and decodes run) before the next:
   * settled() covers ended turns only, so the partial decodes are waited for too. Without that, a
   * partial still in flight when the next append came depended on timer order under load (the
   * covering-partial test failed in the full suite only).
   */
  const stream = async (s: RealtimeSession, audio: Buffer, chunkMs = 100) => {
    const step = (24_000 * 2 * chunkMs) / 1000;
    for (let i = 0; i < audio.length; i += step) {
      s.receive(JSON.stringify({ type: 'input_audio_buffer.append', audio: audio.subarray(i, i + step).toString('base64') }));
      await s.settled();
      await new Promise((r) => setImmediate(r));
      await transcribe.idle();
      await s.settled();
    }
  };
  const of = (type: string) => events.filter((e) => e.type === type);
  return { service, session, send, stream, events, of, ended, transcribe, vad, open };
}

const GA_MANUAL = { type: 'session.update', session: { type: 'transcription', audio: { input: { turn_detection: null } } } };

describe('realtime session: manual commit (GA)', () => {
  it('streams append-only deltas during the turn and completes with their concatenation', async () => {
    const t = setup();
    expect(t.events[0]).toMatchObject({ type: 'session.created', session: { type: 'transcription', object: 'realtime.transcription_session' } });
    expect(t.events[0].session.audio.input.turn_detection).toBeNull(); // no VAD: manual by default
    t.send(GA_MANUAL);
    await t.stream(t.session, spokenWords(10));
    const before = t.of('conversation.item.input_audio_transcription.delta').length;
    expect(before).toBeGreaterThan(2); // deltas arrive while the client is still talking
    t.send({ type: 'input_audio_buffer.commit', event_id: 'c1' });
    await t.session.settled();

    const [committed] = t.of('input_audio_buffer.committed');
    const deltas = t.of('conversation.item.input_audio_transcription.delta');
    const [completed] = t.of('conversation.item.input_audio_transcription.completed');
    expect(committed).toMatchObject({ previous_item_id: null, item_id: expect.stringMatching(/^item_/) });
    expect(completed).toMatchObject({ item_id: committed.item_id, content_index: 0, transcript: wordsText(0, 10), usage: { type: 'duration', seconds: 5 } });
    expect(deltas.map((d) => d.delta).join('')).toBe(completed.transcript);
    expect(deltas.every((d) => d.item_id === committed.item_id && d.content_index === 0)).toBe(true);
    expect(t.of('conversation.item.added')[0].item).toMatchObject({ id: committed.item_id, role: 'user', type: 'message' });
    expect(t.of('conversation.item.done')[0].item.content[0].transcript).toBe(completed.transcript);
    // Partial re-decodes while the turn is open, then its final decode.
    expect(t.transcribe.calls.at(-1)!.partial).toBe(false);
    expect(t.transcribe.calls.slice(0, -1).every((c) => c.partial)).toBe(true);
    expect(t.of('error')).toEqual([]);
  });

  /** Two manual turns of three words each, both completed. */
  const twoManualTurns = async (t: ReturnType<typeof setup>) => {
    t.send(GA_MANUAL);
    await t.stream(t.session, spokenWords(3));
    t.send({ type: 'input_audio_buffer.commit' });
    await t.stream(t.session, spokenWords(3, 3));
    t.send({ type: 'input_audio_buffer.commit' });
    await t.session.settled();
  };

  it('prompts a turn with the previous turns, and chains previous_item_id', async () => {
    const t = setup();
    await twoManualTurns(t);
    const done = t.of('conversation.item.input_audio_transcription.completed');
    expect(done.map((d) => d.transcript)).toEqual([wordsText(0, 3), wordsText(3, 3)]);
    const committed = t.of('input_audio_buffer.committed');
    expect(committed[1].previous_item_id).toBe(committed[0].item_id);
    expect(t.transcribe.calls.at(-1)!.prompt).toContain(wordsText(0, 3));
  });

  it('REALTIME_TURN_CONTEXT=false: a turn is not prompted with the turns before it', async () => {
    const t = setup({ limits: { turnContext: false } });
    await twoManualTurns(t);
    expect(t.of('conversation.item.input_audio_transcription.completed').map((d) => d.transcript)).toEqual([wordsText(0, 3), wordsText(3, 3)]);
    expect(t.transcribe.calls.length).toBeGreaterThan(0);
    for (const call of t.transcribe.calls) expect(call.prompt ?? '').not.toContain(wordsText(0, 3));
  });

  it('a decode that recites its prompt (the turns before) does not repeat them', async () => {
    const transcriber = scriptedTranscriber();
    transcriber.echoPrompt = true;
    const t = setup({ transcriber });
    t.send(GA_MANUAL);
    await t.stream(t.session, spokenWords(4));
    t.send({ type: 'input_audio_buffer.commit' });
    await t.stream(t.session, spokenWords(4, 4));
    t.send({ type: 'input_audio_buffer.commit' });
    await t.session.settled();
    expect(transcriber.calls.at(-1)!.prompt).toBe(wordsText(0, 4));
    expect(t.of('conversation.item.input_audio_transcription.completed').map((c) => c.transcript)).toEqual([wordsText(0, 4), wordsText(4, 4)]);
  });

  it('trims long turns at committed words so no decode sees more than maxDecodeSeconds', async () => {
    const t = setup({ limits: { maxDecodeSeconds: 6 } });
    t.send(GA_MANUAL);
    await t.stream(t.session, spokenWords(40), 250); // 20 s
    t.send({ type: 'input_audio_buffer.commit' });
    await t.session.settled();
    const [completed] = t.of('conversation.item.input_audio_transcription.completed');
    expect(completed.transcript).toBe(wordsText(0, 40));
    expect(t.of('conversation.item.input_audio_transcription.delta').map((d) => d.delta).join('')).toBe(completed.transcript);
    expect(t.transcribe.maxSeconds).toBeLessThanOrEqual(6);
    expect(completed.usage.seconds).toBe(20);
  });

  it('G.711 µ-law and A-law at 8 kHz are accepted', async () => {
    for (const type of ['audio/pcmu', 'audio/pcma'] as const) {
      const t = setup();
      t.send({ type: 'session.update', session: { type: 'transcription', audio: { input: { format: { type }, turn_detection: null } } } });
      t.send({ type: 'input_audio_buffer.append', audio: Buffer.alloc(8000, type === 'audio/pcmu' ? 0xff : 0xd5).toString('base64') }); // 1 s of zero
      t.send({ type: 'input_audio_buffer.commit' });
      await t.session.settled();
      expect(t.of('session.updated')[0].session.audio.input.format).toEqual({ type });
      expect(t.of('conversation.item.input_audio_transcription.completed')[0]).toMatchObject({ transcript: '', usage: { seconds: 1 } });
    }
  });
});

describe('realtime session: beta dialect', () => {
  it('answers transcription_session.* with flat fields', async () => {
    const t = setup({ dialect: 'beta' });
    expect(t.events[0].type).toBe('transcription_session.created');
    t.send({ type: 'transcription_session.update', session: { input_audio_format: 'pcm16', input_audio_transcription: { model: 'whisper-1', language: 'en' }, turn_detection: null } });
    await t.stream(t.session, spokenWords(4));
    t.send({ type: 'input_audio_buffer.commit' });
    await t.session.settled();
    const [updated] = t.of('transcription_session.updated');
    expect(updated.session).toMatchObject({ input_audio_format: 'pcm16', input_audio_transcription: { model: 'whisper-1', language: 'en' }, turn_detection: null });
    expect(t.of('conversation.item.created')).toHaveLength(1);
    expect(t.of('conversation.item.added')).toHaveLength(0);
    expect(t.of('conversation.item.input_audio_transcription.completed')[0].transcript).toBe(wordsText(0, 4));
  });
});

describe('realtime session: server_vad', () => {
  it('detects the turn, pads its start, and completes after the silence', async () => {
    const t = setup({ vad: true });
    expect(t.events[0].session.audio.input.turn_detection).toEqual({ type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500 });
    await t.stream(t.session, Buffer.concat([silence24k(1), spokenWords(6), silence24k(1)]));
    await t.session.settled();
    const [started] = t.of('input_audio_buffer.speech_started');
    const [stopped] = t.of('input_audio_buffer.speech_stopped');
    expect(started.audio_start_ms).toBeGreaterThanOrEqual(650);
    expect(started.audio_start_ms).toBeLessThanOrEqual(720); // 1000 ms - 300 ms padding, to a 32 ms frame
    expect(stopped.audio_end_ms).toBeGreaterThanOrEqual(3950);
    expect(stopped.audio_end_ms).toBeLessThanOrEqual(4100);
    expect(stopped.item_id).toBe(started.item_id);
    const [completed] = t.of('conversation.item.input_audio_transcription.completed');
    expect(completed).toMatchObject({ item_id: started.item_id, transcript: wordsText(0, 6) });
    expect(t.of('conversation.item.input_audio_transcription.delta').map((d) => d.delta).join('')).toBe(completed.transcript);
    const order = t.events.map((e) => e.type).filter((x) => x.startsWith('input_audio_buffer') || x.endsWith('completed'));
    expect(order).toEqual(['input_audio_buffer.speech_started', 'input_audio_buffer.speech_stopped', 'input_audio_buffer.committed', 'conversation.item.input_audio_transcription.completed']);
  });

  it('a finished partial that covers the speech stands in for the final decode: completed comes without one', async () => {
    const t = setup({ vad: true });
    await t.stream(t.session, Buffer.concat([silence24k(1), spokenWords(6), silence24k(1)]));
    await t.session.settled();
    const [completed] = t.of('conversation.item.input_audio_transcription.completed');
    expect(completed.transcript).toBe(wordsText(0, 6));
    // The VAD waits 500 ms of silence; a partial decode started in it already saw every word.
    expect(t.transcribe.calls.every((c) => c.partial)).toBe(true);
  });

  it('a partial in flight that does not cover the speech is cancelled, not waited for, and the turn decoded once more', async () => {
    const transcriber = scriptedTranscriber();
    transcriber.hold = true; // the first partial (0.5 s of the turn) never finishes on its own
    const t = setup({ vad: true, transcriber });
    const audio = Buffer.concat([spokenWords(4), silence24k(1)]);
    // Not t.stream: it waits for every turn to settle, and the held final decode would never let it.
    for (let i = 0; i < audio.length; i += 4800) t.send({ type: 'input_audio_buffer.append', audio: audio.subarray(i, i + 4800).toString('base64') });
    await expect.poll(() => t.of('input_audio_buffer.speech_stopped').length).toBe(1);
    await expect.poll(() => transcriber.calls.length).toBe(2);
    expect(transcriber.aborted).toBe(1);
    expect(transcriber.calls.map((c) => c.partial)).toEqual([true, false]);
    transcriber.hold = false;
    transcriber.release();
    await t.session.settled();
    expect(t.of('conversation.item.input_audio_transcription.completed')[0].transcript).toBe(wordsText(0, 4));
  });

  it('semantic_vad maps onto server VAD with an eagerness-sized silence wait', async () => {
    const t = setup({ vad: true });
    t.send({ type: 'session.update', session: { type: 'transcription', audio: { input: { turn_detection: { type: 'semantic_vad', eagerness: 'low' } } } } });
    await t.stream(t.session, Buffer.concat([spokenWords(2), silence24k(1)]));
    expect(t.of('input_audio_buffer.speech_stopped')).toHaveLength(0); // low eagerness waits 1.5 s
    await t.stream(t.session, silence24k(1));
    expect(t.of('input_audio_buffer.speech_stopped')).toHaveLength(1);
    expect(t.of('session.updated')[0].session.audio.input.turn_detection).toEqual({ type: 'semantic_vad', eagerness: 'low' });
  });

  it('clear drops the open turn and answers cleared', async () => {
    const t = setup({ vad: true });
    await t.stream(t.session, spokenWords(2));
    t.send({ type: 'input_audio_buffer.clear' });
    await t.session.settled();
    expect(t.of('input_audio_buffer.cleared')).toHaveLength(1);
    expect(t.of('input_audio_buffer.committed')).toHaveLength(0);
    t.send({ type: 'input_audio_buffer.commit' });
    await t.session.settled();
    expect(t.of('error').at(-1)!.error.code).toBe('input_audio_buffer_commit_empty');
  });
});

describe('realtime session: delay and the audio window', () => {
  it('delay maps onto the cadence: low sends the first words after about a second, xhigh seconds later', async () => {
    const first = async (delay?: string) => {
      const t = setup();
      t.send({ type: 'session.update', session: { type: 'transcription', audio: { input: { turn_detection: null, ...(delay ? { transcription: { delay } } : {}) } } } });
      const chunks = spokenWords(12);
      for (let i = 0; i < chunks.length; i += 4800) {
        t.send({ type: 'input_audio_buffer.append', audio: chunks.subarray(i, i + 4800).toString('base64') });
        await t.session.settled();
        await new Promise((r) => setTimeout(r, 5)); // the scripted decode answers on the next timer tick
        if (t.of('conversation.item.input_audio_transcription.delta').length) return (i + 4800) / 48_000;
      }
      return Infinity;
    };
    const low = await first('low');
    const xhigh = await first('xhigh');
    expect(low).toBeLessThanOrEqual(1.5); // first decode at 0.5 s of audio, the next 0.3 s later
    expect(xhigh).toBeGreaterThanOrEqual(4); // two decodes 2 s apart must agree
  });

  it('REALTIME_FIRST_DECODE_MS sets how much of a turn the first partial decode sees (no delay set)', async () => {
    for (const firstDecodeMs of [500, 1000]) {
      const t = setup({ limits: { firstDecodeMs } });
      t.send(GA_MANUAL);
      await t.stream(t.session, spokenWords(3));
      const seconds = t.transcribe.calls[0].pcm.length / 16_000;
      // Appends come 100 ms at a time: the first partial starts at the first append at or past the threshold.
      expect(seconds).toBeGreaterThanOrEqual(firstDecodeMs / 1000);
      expect(seconds).toBeLessThan(firstDecodeMs / 1000 + 0.2);
    }
  });

  it('until a turn\'s first word is sent, partials come every REALTIME_FIRST_WORDS_INTERVAL_MS; then every REALTIME_DECODE_INTERVAL_MS', async () => {
    const t = setup({ limits: { firstWordsIntervalMs: 200 } });
    t.send(GA_MANUAL);
    await t.stream(t.session, spokenWords(8));
    const ends = t.transcribe.calls.map((c) => c.pcm.length / 16_000);
    const firstDelta = t.of('conversation.item.input_audio_transcription.delta')[0];
    expect(firstDelta).toBeDefined();
    // The scripted decodes agree from the second on: the first two are 0.2 s apart, every later pair 0.5 s.
    const gaps = ends.slice(1).map((e, i) => Math.round((e - ends[i]) * 10) / 10);
    expect(gaps[0]).toBe(0.2);
    expect(gaps.slice(2)).toEqual(gaps.slice(2).map(() => 0.5));
    expect(gaps.length).toBeGreaterThan(3);
  });

  it('each decode asks for a window sized to its audio, or the full window with REALTIME_AUDIO_CTX=off', async () => {
    for (const audioCtx of ['auto', 'off'] as const) {
      const t = setup({ limits: { audioCtx } });
      t.send(GA_MANUAL);
      await t.stream(t.session, spokenWords(4));
      t.send({ type: 'input_audio_buffer.commit' });
      await t.session.settled();
      expect(t.transcribe.calls.length).toBeGreaterThan(1);
      expect(t.transcribe.calls.map((c) => c.shortWindow)).toEqual(t.transcribe.calls.map(() => audioCtx === 'auto'));
    }
  });
});

describe('realtime session: limits and lifecycle', () => {
  it('a client that vanishes mid-turn aborts its decode and frees its session slot', async () => {
    const transcriber = scriptedTranscriber();
    transcriber.hold = true;
    const t = setup({ transcriber, limits: { maxSessionsPerModel: 1 } });
    t.send(GA_MANUAL);
    await t.stream(t.session, spokenWords(3)); // the first partial runs at 0.5 s
    expect(transcriber.calls.length).toBe(1); // one decode in flight, held
    expect(t.service.sessions()).toEqual({ 'tiny.en': 1 });
    t.session.close();
    expect(transcriber.aborted).toBe(1);
    expect(t.service.sessions()).toEqual({});
    expect(t.open()).toBeDefined(); // the slot is free again
  });

  it('refuses a session over the per-model cap with an error event and close code 1013', () => {
    const t = setup({ limits: { maxSessionsPerModel: 1 } });
    const events: Ev[] = [];
    const ended: number[] = [];
    expect(t.service.open({ dialect: 'ga', model: '', send: (e) => events.push(e), end: (c) => ended.push(c) })).toBeUndefined();
    expect(events[0]).toMatchObject({ type: 'error', error: { code: 'session_limit_reached', type: 'server_error' } });
    expect(ended).toEqual([1013]);
  });

  it('closes an idle session with an idle_timeout error', async () => {
    const t = setup({ limits: { idleTimeoutMs: 30 } });
    await new Promise((r) => setTimeout(r, 80));
    expect(t.of('error')[0].error.code).toBe('idle_timeout');
    expect(t.ended).toEqual([[1000, 'idle timeout']]);
  });

  it('ends a session at its maximum duration', async () => {
    const t = setup({ limits: { maxDurationMs: 30 } });
    await new Promise((r) => setTimeout(r, 80));
    expect(t.of('error')[0].error.code).toBe('session_expired');
    expect(t.ended[0][0]).toBe(1000);
  });
});

describe('realtime session: a buffer the decodes cannot keep up with', () => {
  it('refuses appends past 4 × maxDecodeSeconds of untranscribed audio, and recovers after a commit', async () => {
    const transcriber = scriptedTranscriber();
    transcriber.hold = true; // no partial decode ever finishes, so nothing is trimmed
    const t = setup({ transcriber, limits: { maxDecodeSeconds: 1 } });
    t.send(GA_MANUAL);
    await t.stream(t.session, spokenWords(10), 500); // 5 s > 4 s
    expect(t.of('error').map((e) => e.error.code)).toContain('input_audio_buffer_full');
    transcriber.hold = false;
    transcriber.release();
    t.send({ type: 'input_audio_buffer.commit' });
    await t.session.settled();
    expect(t.of('conversation.item.input_audio_transcription.completed')).toHaveLength(1);
  });
});
