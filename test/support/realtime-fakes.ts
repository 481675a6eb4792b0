/**
 * A scripted "speech" signal for realtime tests: 0.5 s blocks of constant level 0.1 + 0.005·k
 * stand for the word `w<k>`. The fake transcriber reads the blocks back out of whatever PCM it
 * is given (so trimming and resampling are exercised for real) and, like Whisper at the edge of
 * a buffer, guesses a wrong word for a block that is only partly there.
 */
import type { Transcript } from '../../src/engine/types.js';
import type { PcmTranscribeRequest } from '../../src/realtime/session-deps.js';

export const BLOCK_SECONDS = 0.5;

/** pcm16 at 24 kHz of words w<first> .. w<first+count-1>. */
export function spokenWords(count: number, first = 0): Buffer {
  const per = Math.round(BLOCK_SECONDS * 24_000);
  const out = Buffer.alloc(count * per * 2);
  for (let b = 0; b < count; b++) {
    const v = Math.round((0.1 + 0.005 * (first + b)) * 32767);
    for (let i = 0; i < per; i++) out.writeInt16LE(v, (b * per + i) * 2);
  }
  return out;
}

export const silence24k = (seconds: number) => Buffer.alloc(Math.round(seconds * 24_000) * 2);

export interface ScriptedTranscriber {
  (req: PcmTranscribeRequest): Promise<Transcript>;
  calls: PcmTranscribeRequest[];
  /** Longest PCM one call saw, in seconds. */
  maxSeconds: number;
  /** Resolves each call only when release() is called (to hold a decode in flight). */
  hold: boolean;
  release(): void;
  aborted: number;
  /** Recite the prompt before the words, as Whisper now and then does. */
  echoPrompt: boolean;
  /** Calls not yet answered. */
  inFlight: number;
  /** Resolves once no call is in flight (at once while holding: a held call never ends by itself). */
  idle(): Promise<void>;
}

export function scriptedTranscriber(delayMs = 0): ScriptedTranscriber {
  const per = BLOCK_SECONDS * 16_000;
  const waiting: Array<() => void> = [];
  const fn = (async (req: PcmTranscribeRequest): Promise<Transcript> => {
    fn.calls.push(req);
    fn.maxSeconds = Math.max(fn.maxSeconds, req.pcm.length / 16_000);
    fn.inFlight++;
    await new Promise<void>((resolve, reject) => {
      const done = () => resolve();
      if (req.signal.aborted) return reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      req.signal.addEventListener('abort', () => {
        fn.aborted++;
        reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      }, { once: true });
      if (fn.hold) waiting.push(done);
      else setTimeout(done, delayMs);
    }).finally(() => fn.inFlight--);
    const words: Transcript['words'] = [];
    for (let b = 0; b * per < req.pcm.length; b++) {
      const full = (b + 1) * per <= req.pcm.length;
      const mid = Math.min(req.pcm.length - 1, b * per + per / 2);
      const level = req.pcm[Math.round(full ? mid : b * per + 100)];
      if (Math.abs(level) < 0.05) continue; // silence
      if (!full && req.pcm.length - b * per < 1600) continue;
      const k = Math.round((level - 0.1) / 0.005);
      words.push({ word: full ? `w${k}` : 'uh', start: b * BLOCK_SECONDS, end: Math.min((b + 1) * BLOCK_SECONDS, req.pcm.length / 16_000), probability: 0.9 });
    }
    if (fn.echoPrompt && req.prompt) words.unshift(...req.prompt.split(' ').map((word) => ({ word, start: 0, end: 0.1, probability: 0.5 })));
    return { task: 'transcribe', language: 'en', duration: req.pcm.length / 16_000, text: words.map((w) => w.word).join(' '), segments: [], words };
  }) as ScriptedTranscriber;
  fn.calls = [];
  fn.maxSeconds = 0;
  fn.hold = false;
  fn.aborted = 0;
  fn.echoPrompt = false;
  fn.release = () => waiting.splice(0).forEach((f) => f());
  fn.inFlight = 0;
  fn.idle = async () => {
    while (fn.inFlight > 0 && !fn.hold) await new Promise((r) => setTimeout(r, 1));
  };
  return fn;
}

export const wordsText = (first: number, count: number) => Array.from({ length: count }, (_, i) => `w${first + i}`).join(' ');
