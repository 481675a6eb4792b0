/**
 * Submit-time guarantees of the jobs service over the real SQLite store and fs BlobStore:
 * the upload is probed (duration recorded, non-audio and over-long refused before anything is
 * stored), a submit that fails or crashes between the input blob and the job record leaves no
 * orphan behind (SubmitIntents + the sweep), and Idempotency-Key is scoped per API key.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { errors } from '../../src/errors.js';
import { inputKey, newJobId } from '../../src/jobs/ids.js';
import { createFfprobeDuration, type ProbeDuration } from '../../src/jobs/probe.js';
import { createJobsService } from '../../src/jobs/service.js';
import { createSqliteJobStore } from '../../src/jobs/sqlite/store.js';
import type { JobParams } from '../../src/jobs/types.js';
import { openFsBlobStore } from '../../src/storage/fs-blob-store.js';
import { audioPath } from '../support/paths.js';
import { audioFile, expectOpenAIError, makeTestApp, multipart, type TestApp } from '../http/helpers/app.js';

const params: JobParams = { model: 'tiny.en', task: 'transcribe', response_format: 'json' };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: { probe?: ProbeDuration; maxAudioSeconds?: number } = {}) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jobs-gaps-'));
  const store = createSqliteJobStore({ file: path.join(dir, 'jobs.db'), leaseMs: 1000, webhookMaxAttempts: 1, webhookBackoffMs: () => 10 });
  const blobs = await openFsBlobStore(path.join(dir, 'blobs'));
  const unused = () => Promise.reject(new Error('not used'));
  const jobs = createJobsService({
    store,
    blobs,
    transcription: { transcribe: unused, transcribePcm: unused },
    client: { check: async (u) => new URL(u), request: unused },
    limits: { maxUploadBytes: 1 << 20, maxAudioSeconds: opts.maxAudioSeconds ?? 3600, maxAttempts: 1, retentionHours: 1, concurrency: 1, webhookTimeoutMs: 100 },
    probe: opts.probe,
    orphanAgeMs: 0,
    runWorkers: false,
  });
  const upload = path.join(dir, 'upload.wav');
  await fs.writeFile(upload, 'bytes of audio');
  const blobFiles = async () => (await fs.readdir(path.join(dir, 'blobs'), { recursive: true })).filter((f) => f.endsWith('input'));
  cleanups.push(async () => {
    await store.close();
    await fs.rm(dir, { recursive: true, force: true });
  });
  return { store, blobs, jobs, blobFiles, source: { kind: 'upload' as const, path: upload, size: 14, filename: 'upload.wav' } };
}

describe('probe at submit', () => {
  it('records the probed duration on the job and in the backlog', async () => {
    const s = await setup({ probe: async () => 12.5 });
    const { job } = await s.jobs.submit({ params, source: s.source });
    expect(job.audio_seconds).toBe(12.5);
    expect((await s.jobs.stats()).backlog_audio_seconds).toBe(12.5);
  });

  it('refuses over-long audio and non-audio before storing anything', async () => {
    const long = await setup({ probe: async () => 7201, maxAudioSeconds: 7200 });
    const err = await long.jobs.submit({ params, source: long.source }).catch((e) => e);
    expect(expectOpenAIError(err.toBody())).toMatchObject({ code: 'audio_too_long', param: 'file' });
    expect(await long.blobFiles()).toEqual([]);
    expect((await long.jobs.list({ limit: 10 }, undefined)).data).toEqual([]);

    const garbage = await setup({ probe: async () => Promise.reject(errors.unsupportedAudio('not audio')) });
    const err2 = await garbage.jobs.submit({ params, source: garbage.source }).catch((e) => e);
    expect(err2.status).toBe(400);
    expect(await garbage.blobFiles()).toEqual([]);
  });

  it('ffprobe reads a real clip and refuses a file that is not audio', async () => {
    const probe = createFfprobeDuration();
    expect(await probe(audioPath('jfk.wav'))).toBeCloseTo(11, 0);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'probe-'));
    cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
    await fs.writeFile(path.join(dir, 'x.wav'), 'not audio at all');
    await expect(probe(path.join(dir, 'x.wav'))).rejects.toMatchObject({ status: 400, param: 'file' });
  });
});

describe('no orphaned input blobs', () => {
  it('a submit whose job record cannot be written removes its input blob and its intent', async () => {
    const s = await setup();
    s.store.jobs.create = async () => {
      throw new Error('disk full');
    };
    await expect(s.jobs.submit({ params, source: s.source })).rejects.toThrow('disk full');
    expect(await s.blobFiles()).toEqual([]);
    expect(await s.store.intents!.stale(Date.now() + 1000)).toEqual([]);
  });

  it('the sweep removes the input of a submit that crashed before its job existed, and keeps real jobs', async () => {
    const s = await setup();
    // What a process killed between blobs.put and jobs.create leaves behind.
    const crashed = newJobId();
    await s.store.intents!.begin(crashed);
    await s.blobs.put(inputKey(crashed), (await import('node:stream')).Readable.from([Buffer.from('orphan')]));
    // A crash after the job was created but before the intent was ended: the job's input must stay.
    const { job } = await s.jobs.submit({ params, source: s.source });
    await s.store.intents!.begin(job.id);
    expect(await s.blobFiles()).toHaveLength(2);
    expect(await s.jobs.maintain()).toMatchObject({ orphans: 1 });
    expect(await s.blobs.get(inputKey(crashed))).toBeUndefined();
    expect(await s.blobs.get(inputKey(job.id))).toBeDefined();
    expect(await s.store.intents!.stale(Date.now() + 1000)).toEqual([]);
  });

  it('a completed submit leaves no intent behind', async () => {
    const s = await setup();
    await s.jobs.submit({ params, source: s.source, idempotencyKey: 'k' });
    await s.jobs.submit({ params, source: s.source, idempotencyKey: 'k' });
    expect(await s.store.intents!.stale(Date.now() + 1000)).toEqual([]);
    expect(await s.blobFiles()).toHaveLength(1);
  });
});

describe('Idempotency-Key per API key', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  const submit = async (key: string, idem: string) => {
    const mp = await multipart({ model: 'whisper-1', file: audioFile(2) });
    return t!.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: mp.payload, headers: { ...mp.headers, prefer: 'respond-async', authorization: `Bearer ${key}`, 'idempotency-key': idem } });
  };

  it('the same key from the same caller replays; from another caller it is a new job', async () => {
    t = await makeTestApp({ API_KEYS: 'sk-alice,sk-bob' });
    const a1 = await submit('sk-alice', 'order-1');
    const a2 = await submit('sk-alice', 'order-1');
    const b1 = await submit('sk-bob', 'order-1');
    expect([a1.statusCode, a2.statusCode, b1.statusCode]).toEqual([202, 202, 202]);
    expect(a2.json().id).toBe(a1.json().id);
    expect(a2.headers['idempotent-replayed']).toBe('true');
    expect(b1.json().id).not.toBe(a1.json().id);
    expect(b1.headers['idempotent-replayed']).toBeUndefined();
  });

  it('without API_KEYS every caller shares one key space', async () => {
    t = await makeTestApp();
    const a = await submit('anything', 'order-2');
    const b = await submit('something-else', 'order-2');
    expect(b.json().id).toBe(a.json().id);
  });
});
