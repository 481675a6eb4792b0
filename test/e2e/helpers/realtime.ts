/** Shared by the realtime e2e tests: a self-signed certificate, a fetch that trusts it, clip audio as pcm16 24 kHz. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';

/**
 * The e2e servers have whisper.cpp's Silero VAD (Engine.loadVad + models/ggml-silero-v6.2.0.bin, which
 * fetch-test provides): the server_vad cases stream jfk.wav through the real VAD and assert
 * speech_started/stopped and the transcript. (false would assert the clean `vad_unavailable`
 * refusal of a server without the VAD model.)
 */
export const REAL_VAD = true;

export interface Cert {
  certFile: string;
  keyFile: string;
  /** PEM, to pass as `ca` to ws / https / Python's ssl. */
  ca: string;
}

/** A throwaway self-signed certificate for 127.0.0.1 and localhost (openssl). */
export function makeCert(dir: string): Cert {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  return { certFile, keyFile, ca: fs.readFileSync(certFile, 'utf8') };
}

/** GET over HTTPS trusting `ca` (global fetch cannot be given a CA on Node 20). */
export const httpsFetch = (ca: string) => (url: string) =>
  new Promise<{ status: number; text(): Promise<string> }>((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: async () => Buffer.concat(chunks).toString() }));
      })
      .on('error', reject);
  });

/** A clip as mono pcm16 little-endian at 24 kHz (the realtime API's `pcm16` / `audio/pcm`), via ffmpeg. */
export function pcm24k(file: string, trailingSilenceSeconds = 0): Buffer {
  const pcm = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-ac', '1', '-ar', '24000', '-f', 's16le', '-'], { maxBuffer: 256 * 1024 * 1024 });
  return Buffer.concat([pcm, Buffer.alloc(Math.round(trailingSilenceSeconds * 24_000) * 2)]);
}

/** Calls send(chunk) with `chunkMs` of audio every chunkMs / speed milliseconds. */
export async function streamAudio(pcm: Buffer, send: (chunk: Buffer) => void, chunkMs = 100, speed = 1): Promise<void> {
  const step = (24_000 * 2 * chunkMs) / 1000;
  const t0 = performance.now();
  for (let i = 0, n = 0; i < pcm.length; i += step, n++) {
    send(pcm.subarray(i, i + step));
    const due = t0 + ((n + 1) * chunkMs) / speed;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
  }
}

/** A fetch for the OpenAI client that trusts `ca` (a self-signed server): global fetch takes no CA option. */
export const caFetch = (ca: string) => async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  const body = init.body === undefined || init.body === null ? undefined : Buffer.from(await new Response(init.body as BodyInit).arrayBuffer());
  return new Promise<Response>((resolve, reject) => {
    const req = https.request(url, { method: init.method ?? 'GET', headers: Object.fromEntries(new Headers(init.headers).entries()), ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers }));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
};
