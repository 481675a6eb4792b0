/**
 * Realtime transcription over the WebSocket, at real speed: `npm run bench -- realtime [model...]`
 * (or `npx tsx bench/realtime.ts tiny.en base`). The real server runs as a child (src/main.ts, at
 * its defaults), on 127.0.0.1 only; clients stream pcm16 24 kHz in 100 ms appends paced to the wall
 * clock. BENCH_SERVER_ROOT runs the server of another checkout (a before/after pair with the same
 * measuring code); BENCH_SERVER_ENV='K=V,K=V' adds settings.
 *  - manual commit (turn_detection null): the client commits at the end of the clip;
 *    final latency = commit → completed, and end of speech → completed (adds the clip's trailing silence);
 *  - server_vad (only when the server has the Silero VAD): end of speech → completed, with the
 *    VAD's own silence wait (silence_duration_ms) reported apart from compute;
 *  - first delta = speech onset in the audio → first delta event;
 *  - WER of the completed transcripts against the same clips as file uploads;
 *  - capacity: N concurrent streams of jfk.wav, until a final latency passes 1.5 s;
 *  - a 3 s live turn alone and beside an 80 s upload.
 * REALTIME_DELAY=minimal|low|medium|high|xhigh sets the sessions' transcription `delay` (the decode
 * cadence, src/realtime/cadence.ts); unset: the server's default cadence. REALTIME_CAPACITY=off skips the
 * capacity and 3 s-turn measurements (the clips only).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { wer } from '../test/support/wer.js';
import { loadavg, waitForQuiet } from './lib/load.js';
import { fmt, median, percentile, table } from './lib/stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const AUDIO = process.env.AUDIO_DIR ?? path.join(ROOT, 'test', 'fixtures', 'audio');
const CLIPS = (process.env.REALTIME_CLIPS ?? 'jfk.wav,picovoice_test.wav,librispeech_2412-153948-0000.flac,ljspeech_LJ050-0131.wav,ps_forever_input_2_16k.wav').split(',');
const REFS = new Map(
  readFileSync(path.join(AUDIO, 'transcripts.tsv'), 'utf8')
    .split('\n')
    .map((l) => l.split('\t'))
    .filter((f) => f.length >= 5)
    .map((f) => [f[0], f[4]]),
);

const log = (...a: unknown[]) => console.error('[realtime]', ...a);

function pcm24k(file: string, seconds?: number): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', '-i', path.join(AUDIO, file), ...(seconds ? ['-t', String(seconds)] : []), '-ac', '1', '-ar', '24000', '-f', 's16le', '-'], { maxBuffer: 1 << 28 });
}

/** Speech onset and end in a pcm16 24 kHz clip (20 ms frames above -34 dBFS RMS). */
function speechBounds(pcm: Buffer): { onset: number; end: number } {
  const frame = 480;
  let onset = -1;
  let end = 0;
  for (let f = 0; (f + 1) * frame * 2 <= pcm.length; f++) {
    let s = 0;
    for (let i = 0; i < frame; i++) s += (pcm.readInt16LE((f * frame + i) * 2) / 32768) ** 2;
    if (Math.sqrt(s / frame) > 0.02) {
      if (onset < 0) onset = (f * frame) / 24_000;
      end = ((f + 1) * frame) / 24_000;
    }
  }
  return { onset: Math.max(0, onset), end };
}

async function startServer(model: string): Promise<{ url: string; proc: ChildProcess; stop(): Promise<void> }> {
  const extra = Object.fromEntries((process.env.BENCH_SERVER_ENV ?? '').split(',').filter(Boolean).map((kv) => kv.split('=') as [string, string]));
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: process.env.BENCH_SERVER_ROOT ?? ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', DEFAULT_MODEL: model, PRELOAD_MODELS: model, REALTIME_MAX_SESSIONS_PER_MODEL: '64', ...extra },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (c: Buffer) => {
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(c.toString());
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  for (let i = 0; !(await fetch(`${url}/ready`).then((r) => r.ok, () => false)); i++) {
    if (i > 1200) throw new Error('server not ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, proc, stop: async () => void (proc.kill('SIGTERM'), await new Promise((r) => proc.once('exit', r))) };
}

interface StreamResult {
  transcript: string;
  firstDelta: number;
  /** commit (manual) or end of speech (VAD) → last completed, seconds. */
  final: number;
  /** end of speech in the audio → last completed. */
  fromSpeechEnd: number;
  vadWait: number;
  deltas: number;
  turns: number;
}

async function streamClip(url: string, pcm: Buffer, vad: boolean): Promise<StreamResult> {
  const { onset, end } = speechBounds(pcm);
  const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/realtime?intent=transcription`);
  const events: Array<{ at: number; e: any }> = [];
  let wake = () => {};
  ws.on('message', (d: Buffer) => {
    events.push({ at: performance.now(), e: JSON.parse(d.toString()) });
    wake();
  });
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  const waitFor = async (pred: () => boolean, ms = 120_000) => {
    const until = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > until) throw new Error(`timeout; events: ${events.map((x) => x.e.type).join(',')}`);
      await new Promise<void>((r) => ((wake = r), setTimeout(r, 100)));
    }
  };
  const count = (t: string) => events.filter((x) => x.e.type === t).length;
  const transcription = process.env.REALTIME_DELAY ? { transcription: { delay: process.env.REALTIME_DELAY } } : {};
  ws.send(JSON.stringify({ type: 'session.update', session: { type: 'transcription', audio: { input: { turn_detection: vad ? { type: 'server_vad' } : null, ...transcription } } } }));
  await waitFor(() => count('session.updated') + count('error') > 0);
  if (count('error')) throw new Error(JSON.stringify(events.find((x) => x.e.type === 'error')!.e));
  const audio = vad ? Buffer.concat([pcm, Buffer.alloc(24_000 * 2 * 1.5)]) : pcm;
  const step = 4800; // 100 ms
  const t0 = performance.now();
  for (let i = 0, n = 0; i < audio.length; i += step, n++) {
    ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: audio.subarray(i, i + step).toString('base64') }));
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + (n + 1) * 100 - performance.now())));
  }
  let commitAt = performance.now();
  if (!vad) ws.send(JSON.stringify({ type: 'input_audio_buffer.commit' }));
  else await waitFor(() => count('input_audio_buffer.speech_stopped') > 0 && count('input_audio_buffer.speech_stopped') === count('input_audio_buffer.committed'));
  const turnsWanted = vad ? count('input_audio_buffer.committed') : 1;
  await waitFor(() => count('conversation.item.input_audio_transcription.completed') >= turnsWanted);
  ws.close();
  const completed = events.filter((x) => x.e.type === 'conversation.item.input_audio_transcription.completed');
  const deltas = events.filter((x) => x.e.type === 'conversation.item.input_audio_transcription.delta');
  const last = completed.at(-1)!.at;
  const speechEndAt = t0 + end * 1000;
  let vadWait = 0;
  if (vad) {
    const stop = events.filter((x) => x.e.type === 'input_audio_buffer.speech_stopped').at(-1)!;
    commitAt = t0 + stop.e.audio_end_ms;
    vadWait = (stop.at - commitAt) / 1000;
  }
  return {
    transcript: completed.map((c) => c.e.transcript).join(' '),
    firstDelta: deltas.length ? (deltas[0].at - (t0 + onset * 1000)) / 1000 : NaN,
    final: (last - commitAt) / 1000,
    fromSpeechEnd: (last - speechEndAt) / 1000,
    vadWait,
    deltas: deltas.length,
    turns: completed.length,
  };
}

async function upload(url: string, file: string, model: string): Promise<string> {
  const fd = new FormData();
  fd.append('file', new Blob([readFileSync(path.join(AUDIO, file))]), file);
  fd.append('model', model);
  const r = await fetch(`${url}/v1/audio/transcriptions`, { method: 'POST', body: fd });
  if (!r.ok) throw new Error(`upload ${file}: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { text: string }).text;
}

/** Concurrent jfk streams until a final passes 1.5 s, then a 3 s live turn alone and beside an 80 s upload. */
async function capacity(url: string, model: string): Promise<string[]> {
  const out: string[] = [];
  // Capacity: N concurrent jfk streams.
  const jfk = pcm24k('jfk.wav');
  const cap: (string | number)[][] = [];
  for (const n of [1, 2, 4, 8]) {
    const rs = await Promise.all(Array.from({ length: n }, () => streamClip(url, jfk, false)));
    const fin = median(rs.map((r) => r.final));
    cap.push([n, fmt(fin, 2), fmt(Math.max(...rs.map((r) => r.final)), 2), fmt(median(rs.map((r) => r.firstDelta)), 2), fmt(median(rs.map((r) => wer(REFS.get('jfk.wav')!, r.transcript))), 3)]);
    log(model, 'capacity', n, fin);
    if (Math.max(...rs.map((r) => r.final)) > 1.5) break;
  }
  out.push('', 'Concurrent real-time streams of jfk.wav (manual commit):', '', table(['streams', 'final median s', 'final max s', 'first delta median s', 'WER median'], cap));

  // A 3 s live turn alone, then beside an 80 s upload.
  const three = pcm24k('jfk.wav', 3);
  const alone = await streamClip(url, three, false);
  const up = upload(url, 'long_concat_en_16k.wav', model);
  await new Promise((r) => setTimeout(r, 1000)); // the upload holds a slot
  const beside = await streamClip(url, three, false);
  const upStart = performance.now();
  await up;
  out.push('', table(['3 s live turn', 'final s', 'first delta s'], [['alone', fmt(alone.final, 2), fmt(alone.firstDelta, 2)], ['beside an 80 s upload', fmt(beside.final, 2), fmt(beside.firstDelta, 2)]]));
  log(model, 'upload finished', fmt((performance.now() - upStart) / 1000, 1), 's after the live turn');
  return out;
}

async function benchModel(model: string): Promise<string> {
  const quiet = await waitForQuiet(`realtime ${model}`);
  const server = await startServer(model);
  const out: string[] = [`### ${model}`, '', `Machine at start: ${quiet}.`, ''];
  try {
    const hasVad = await (async () => {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/realtime?intent=transcription`);
      const first = await new Promise<any>((r) => ws.once('message', (d: Buffer) => r(JSON.parse(d.toString()))));
      ws.close();
      return first.session.audio.input.turn_detection !== null;
    })();
    const modes: boolean[] = hasVad ? [false, true] : [false];
    const rows: (string | number)[][] = [];
    let refs = '';
    const hyps: Record<string, string> = { manual: '', vad: '', upload: '' };
    for (const clip of CLIPS) {
      const pcm = pcm24k(clip);
      refs += ` ${REFS.get(clip)}`;
      const u0 = performance.now();
      hyps.upload += ` ${await upload(server.url, clip, model)}`;
      const uploadSeconds = (performance.now() - u0) / 1000;
      for (const vad of modes) {
        const r = await streamClip(server.url, pcm, vad);
        hyps[vad ? 'vad' : 'manual'] += ` ${r.transcript}`;
        log(model, clip, vad ? 'vad' : 'manual', r);
        rows.push([clip, vad ? 'server_vad' : 'manual', fmt(pcm.length / 48_000, 1), fmt(r.firstDelta, 2), fmt(r.final, 2), fmt(r.fromSpeechEnd, 2), vad ? fmt(r.vadWait, 2) : '—', r.deltas, fmt(wer(REFS.get(clip)!, r.transcript), 3), fmt(uploadSeconds, 2), `${fmt(r.final / uploadSeconds, 2)}×`]);
      }
    }
    out.push(table(['clip', 'turns', 'audio s', 'first delta s', 'final s (commit or VAD stop → completed)', 'end of speech → completed s', 'VAD silence wait s', 'deltas', 'WER', 'same clip as upload s', 'final / upload'], rows));
    const num = (i: number, mode: string) => rows.filter((r) => r[1] === mode).map((r) => Number(r[i])).filter(Number.isFinite);
    const summary: (string | number)[][] = [];
    for (const mode of modes.map((v) => (v ? 'server_vad' : 'manual'))) {
      const w = wer(refs, hyps[mode === 'manual' ? 'manual' : 'vad']);
      summary.push([mode, fmt(median(num(4, mode)), 2), fmt(percentile(num(4, mode), 95), 2), fmt(median(num(3, mode)), 2), fmt(w, 3), fmt(wer(refs, hyps.upload), 3), `${fmt(w / wer(refs, hyps.upload), 2)}×`]);
    }
    out.push('', table(['mode', 'final median s', 'final p95 s', 'first delta median s', 'WER streamed', 'WER upload', 'ratio'], summary));

    if (process.env.REALTIME_CAPACITY !== 'off') out.push(...(await capacity(server.url, model)));
    out.push('', `Machine at end: loadavg ${loadavg().join(' ')}.`);
  } finally {
    await server.stop();
  }
  return out.join('\n');
}

export async function main(args: string[]): Promise<string> {
  const models = args.length ? args : ['tiny.en', 'base'];
  const parts = ['## Realtime (WebSocket, real-speed streaming)'];
  for (const m of models) parts.push(await benchModel(m));
  return parts.join('\n\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(await main(process.argv.slice(2)));
  process.exit(0);
}
