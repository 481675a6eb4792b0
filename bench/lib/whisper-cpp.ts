/**
 * Drives whisper.cpp's own programs (built outside this repository; see BENCHMARKS.md):
 * whisper-cli for one-shot runs and whisper-server for a warm, HTTP-fronted model.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tinyEn, whisperCppCli, whisperCppServer } from './env.js';
import { whisperCppArgs, whisperCppForm, type Decoding } from './settings.js';

export interface CliResult {
  /** whisper_print_timings "total time" − "load time": state init + wav read + compute. */
  computeSeconds: number;
  loadSeconds: number;
  text: string;
}

const ms = (log: string, key: string) => Number(new RegExp(`${key} time =\\s+([\\d.]+) ms`).exec(log)?.[1] ?? NaN);

export function runCli(file: string, threads: number, d: Decoding, flashAttn = true): Promise<CliResult> {
  // Not -nt: "no timestamps" changes the decoding itself (no timestamp tokens, one segment per
  // window), not just the printing. The engine decodes with timestamps.
  const args = ['-m', tinyEn(), '-f', file, '-t', String(threads), ...whisperCppArgs(d), flashAttn ? '-fa' : '-nfa'];
  return new Promise((resolve, reject) => {
    const child = spawn(whisperCppCli(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`whisper-cli exited ${code}: ${err.slice(-500)}`));
      const load = ms(err, 'load');
      const text = out.replace(/^\[[^\]]*\]\s*/gm, '').trim().replace(/\s+/g, ' ');
      resolve({ computeSeconds: (ms(err, 'total') - load) / 1000, loadSeconds: load / 1000, text });
    });
  });
}

export interface WhisperCppServer {
  url: string;
  pid: number;
  infer(file: string, d: Decoding): Promise<{ seconds: number; text: string }>;
  close(): Promise<void>;
}

export async function startServer(threads: number, port: number, flashAttn = true): Promise<WhisperCppServer> {
  const args = ['-m', tinyEn(), '--host', '127.0.0.1', '--port', String(port), '-t', String(threads), flashAttn ? '-fa' : '-nfa'];
  const child: ChildProcess = spawn(whisperCppServer(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (c) => (log = (log + c).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`whisper-server exited: ${log}`);
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (i > 300) throw new Error('whisper-server did not become healthy in 30 s');
    await sleep(100);
  }
  const bytes = new Map<string, Buffer>();
  return {
    url,
    pid: child.pid!,
    async infer(file, d) {
      if (!bytes.has(file)) bytes.set(file, await readFile(file));
      const form = new FormData();
      form.set('file', new Blob([new Uint8Array(bytes.get(file)!)]), basename(file));
      for (const [k, v] of Object.entries(whisperCppForm(d))) form.set(k, v);
      const t0 = performance.now();
      const res = await fetch(`${url}/inference`, { method: 'POST', body: form, signal: AbortSignal.timeout(600_000) });
      const body = (await res.json()) as { text?: string; error?: string };
      const seconds = (performance.now() - t0) / 1000;
      if (!res.ok || body.error) throw new Error(`whisper-server: ${res.status} ${JSON.stringify(body)}`);
      return { seconds, text: (body.text ?? '').trim() };
    },
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
