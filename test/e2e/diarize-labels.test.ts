/**
 * The diarization model path end to end with real whisper.cpp (tiny.en), real ffmpeg and real
 * VAD, but an oracle in place of the speaker models: it answers the true turns of a file built
 * from three clips (JFK, a LibriSpeech reader, JFK again: a returning speaker, 35 s, so
 * chunking_strategy is required). What this measures is the server's half: words labelled by
 * time overlap, text cut where the speaker changes, letters in order of appearance, the
 * diarized_json answer. The speaker models' own accuracy is measured on their side
 * (src/diarization, BENCHMARKS.md).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Diarizer, SpeakerTurn } from '../../src/diarization/types.js';
import { multipart } from '../http/helpers/app.js';
import { MODELS_DIR, audio, requireWeights } from './helpers/server.js';

const JFK = 11;
const READER = 13.335;
const TRUTH: SpeakerTurn[] = [
  { start: 0, end: JFK, speaker: 'jfk' },
  { start: JFK, end: JFK + READER, speaker: 'reader' },
  { start: JFK + READER, end: 2 * JFK + READER, speaker: 'jfk' },
];
const oracle: Diarizer = { diarize: async () => TRUTH };

let app: FastifyInstance;
let dir: string;
let wav: Buffer;
beforeAll(async () => {
  requireWeights('tiny.en', 'silero-v6.2.0');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diarize-labels-'));
  const out = path.join(dir, 'three-turns.wav');
  const inputs = [audio('jfk.wav'), audio('librispeech_1272-141231-0002.flac'), audio('jfk.wav')];
  execFileSync('ffmpeg', [
    '-loglevel', 'error', '-y', ...inputs.flatMap((f) => ['-i', f]),
    '-filter_complex', '[0:a]aresample=16000,aformat=channel_layouts=mono[a];[1:a]aresample=16000,aformat=channel_layouts=mono[b];[2:a]aresample=16000,aformat=channel_layouts=mono[c];[a][b][c]concat=n=3:v=0:a=1',
    '-ar', '16000', '-ac', '1', out,
  ]);
  wav = fs.readFileSync(out);
  const config = loadConfig({ LOG_LEVEL: 'silent', MODELS_DIR, DEFAULT_MODEL: 'tiny.en', TMP_DIR: path.join(dir, 'tmp'), DATA_DIR: path.join(dir, 'data'), POOL_CONCURRENCY: '1' });
  app = await buildApp(config, { diarizer: oracle });
  await app.ready();
}, 120_000);
afterAll(async () => {
  await app?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('words labelled by overlap: A, B, A at the true boundaries, ≥ 95 % of the speech time right', async () => {
  const body = await multipart({
    file: { data: new Uint8Array(wav), filename: 'three-turns.wav', type: 'audio/wav' },
    model: 'gpt-4o-transcribe-diarize',
    response_format: 'diarized_json',
    chunking_strategy: 'auto',
  });
  const res = await app.inject({ method: 'POST', url: '/v1/audio/transcriptions', ...body });
  expect(res.statusCode, res.body).toBe(200);
  const r = res.json() as { duration: number; text: string; segments: { start: number; end: number; speaker: string; text: string }[] };
  expect(r.duration).toBeCloseTo(2 * JFK + READER, 1);

  // Consecutive segments of one speaker form a turn: exactly three, A B A.
  const turns = r.segments.reduce<{ speaker: string; text: string }[]>((acc, s) => {
    const last = acc.at(-1);
    if (last?.speaker === s.speaker) last.text += ` ${s.text}`;
    else acc.push({ speaker: s.speaker, text: s.text });
    return acc;
  }, []);
  expect(turns.map((t) => t.speaker)).toEqual(['A', 'B', 'A']);
  expect(turns[0].text).toMatch(/not what your country/i);
  expect(turns[1].text).toMatch(/chest/i);
  expect(turns[1].text).not.toMatch(/country/i);
  expect(turns[2].text).toMatch(/not what your country/i);

  // Time-weighted: how much of each segment's span lies in a true turn of the speaker it was given.
  const truthOf = { A: 'jfk', B: 'reader' } as Record<string, string>;
  let right = 0;
  let total = 0;
  for (const s of r.segments) {
    total += s.end - s.start;
    for (const t of TRUTH) if (t.speaker === truthOf[s.speaker]) right += Math.max(0, Math.min(s.end, t.end) - Math.max(s.start, t.start));
  }
  expect(right / total).toBeGreaterThanOrEqual(0.95);
}, 180_000);
