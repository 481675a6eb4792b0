/**
 * Async-job overhead against a synchronous request on the same clip, same server, same model
 * (tiny.en, greedy, as the e2e suite runs it). Not a test: `npx tsx test/e2e/jobs-overhead.bench.ts`.
 * Rounds are interleaved (the first mode alternates each round), one warm-up round is dropped,
 * and medians are reported with the machine's load before and after. Async is timed as a client
 * sees it: submit (202) → poll GET /v1/audio/jobs/{id} every POLL_MS → GET …/result read whole.
 */
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { audio, requireWeights, startServer } from './helpers/server.js';

const POLL_MS = Number(process.env.POLL_MS ?? 20);
const CLIPS: [string, number][] = [['jfk.wav', Number(process.env.REPS_SHORT ?? 7)], ['long_concat_en_16k.wav', Number(process.env.REPS_LONG ?? 3)]];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const form = (file: string) => {
  const fd = new FormData();
  fd.append('file', new Blob([fs.readFileSync(audio(file))]), file);
  fd.append('model', 'tiny.en');
  return fd;
};

requireWeights('tiny.en');
const server = await startServer({ PRELOAD_MODELS: 'tiny.en' });
const url = `${server.url}/v1/audio/transcriptions`;

async function sync(file: string) {
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', body: form(file) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(text);
  return { total: performance.now() - t0, text };
}

async function job(file: string) {
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', body: form(file), headers: { prefer: 'respond-async' } });
  const { id } = (await res.json()) as { id: string };
  const submit = performance.now() - t0;
  for (;;) {
    const j = (await (await fetch(`${server.url}/v1/audio/jobs/${id}`)).json()) as { status: string };
    if (j.status === 'completed') break;
    if (j.status !== 'queued' && j.status !== 'processing') throw new Error(JSON.stringify(j));
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const text = await (await fetch(`${server.url}/v1/audio/jobs/${id}/result`)).text();
  return { total: performance.now() - t0, submit, text };
}

const loadBefore = execFileSync('uptime', { encoding: 'utf8' }).trim();
const rows = [];
for (const [file, reps] of CLIPS) {
  const s: number[] = [];
  const a: number[] = [];
  const sub: number[] = [];
  for (let round = 0; round <= reps; round++) {
    const order = round % 2 === 0 ? ['sync', 'job'] : ['job', 'sync'];
    for (const mode of order) {
      if (mode === 'sync') {
        const r = await sync(file);
        if (round > 0) s.push(r.total);
      } else {
        const r = await job(file);
        if (round > 0) (a.push(r.total), sub.push(r.submit));
      }
    }
  }
  const row = { file, reps, sync_ms: median(s), job_ms: median(a), submit_ms: median(sub), ratio: median(a) / median(s), overhead_ms: median(a) - median(s), all: { sync: s.map(Math.round), job: a.map(Math.round) } };
  rows.push(row);
  console.log(JSON.stringify(row));
}
const loadAfter = execFileSync('uptime', { encoding: 'utf8' }).trim();
console.log(JSON.stringify({ loadBefore, loadAfter, pollMs: POLL_MS }));
await server.stop();
