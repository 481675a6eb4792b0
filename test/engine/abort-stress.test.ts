/**
 * The abort that can't hang: aborts at random points of the encoder and decoder (greedy and beam),
 * with two neighbours transcribing on the same model, each one freeing its slot within 1 s, and
 * pool.close() returning. The short version runs here; `npm run bench -- abort-stress` runs 50.
 */
import { describe, expect, it } from 'vitest';
import { abortStress } from '../support/abort-stress.js';
import { audioPath } from '../support/paths.js';
import { realEngine } from './setup.js';

describe('abort stress', () => {
  it('12 random aborts beside 2 busy neighbours: each slot is free within 1 s, close() returns', async () => {
    const { pool, decoder } = realEngine({ concurrency: 3 });
    const { pcm } = await decoder.decodeFile(audioPath('long_concat_en_16k.wav'));
    const { pcm: neighbourPcm } = await decoder.decodeFile(audioPath('jfk.wav'));
    const r = await abortStress({ pool, model: 'tiny.en', pcm, neighbourPcm, aborts: 12, neighbours: 2, threads: 2, maxDelayMs: 4000, seed: 11 });
    console.info(`abort → slot free (ms): ${r.freeMs.map((x) => x.toFixed(0)).join(' ')}; finished first: ${r.finishedFirst}; neighbour runs: ${r.neighbourRuns}`);
    expect(r.freeMs.length).toBeGreaterThanOrEqual(10);
    expect(Math.max(...r.freeMs)).toBeLessThan(1000);
    expect(r.neighbourFailures).toBe(0);
    expect(r.neighbourRuns).toBeGreaterThan(0);
    expect(pool.stats().find((s) => s.model === 'tiny.en')).toMatchObject({ inFlight: 0, queued: 0 });
    // close() must return: a wedged native call would hang it (the test's timeout fails it then).
    await pool.close();
  });
});
