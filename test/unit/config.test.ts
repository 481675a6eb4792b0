import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig, threadpoolSize } from '../../src/config.js';

describe('config', () => {
  test('defaults', () => {
    const c = loadConfig({}, 8);
    expect(c).toMatchObject({
      HOST: '0.0.0.0',
      PORT: 8000,
      LOG_LEVEL: 'info',
      MODELS_DIR: './models',
      DEFAULT_MODEL: 'tiny.en',
      MODEL_ALIASES: { 'whisper-1': 'tiny.en' },
      PRELOAD_MODELS: ['tiny.en'],
      MODEL_IDLE_TTL_SECONDS: 0,
      POOL_CONCURRENCY: 2,
      QUEUE_MAX: 32,
      THREADS_PER_REQUEST: undefined,
      CPU_THREADS: 8,
      BEAM_SIZE: 5,
      BEST_OF: 5,
      MAX_UPLOAD_BYTES: 26_214_400,
      MAX_AUDIO_SECONDS: 7200,
      MAX_FILES_PER_REQUEST: 16,
      API_KEYS: [],
      METRICS_REQUIRE_AUTH: false,
      CORS_ORIGINS: [],
      SHUTDOWN_GRACE_SECONDS: 30,
      USE_GPU: false,
    });
    expect(typeof c.TMP_DIR).toBe('string');
    expect(Object.isFrozen(c)).toBe(true);
  });

  test('threads: unset is the pool\'s work-conserving share of the cores; a fixed count stays fixed', () => {
    expect(loadConfig({ POOL_CONCURRENCY: '3' }, 8)).toMatchObject({ THREADS_PER_REQUEST: undefined, CPU_THREADS: 8 });
    expect(loadConfig({ THREADS_PER_REQUEST: '6' }, 2).THREADS_PER_REQUEST).toBe(6);
  });

  test('lists, aliases and booleans', () => {
    const c = loadConfig({
      DEFAULT_MODEL: 'base',
      MODEL_ALIASES: 'fast=tiny.en, whisper-1=small',
      PRELOAD_MODELS: 'base,tiny.en',
      API_KEYS: ' k1 ,k2,',
      CORS_ORIGINS: '*',
      METRICS_REQUIRE_AUTH: 'true',
      USE_GPU: 'false',
    });
    expect(c.MODEL_ALIASES).toEqual({ 'whisper-1': 'small', fast: 'tiny.en' });
    expect(c.PRELOAD_MODELS).toEqual(['base', 'tiny.en']);
    expect(c.API_KEYS).toEqual(['k1', 'k2']);
    expect(c.CORS_ORIGINS).toEqual(['*']);
    expect(c.METRICS_REQUIRE_AUTH).toBe(true);
    expect(c.USE_GPU).toBe(false);
  });

  test('whisper-1 follows DEFAULT_MODEL unless overridden', () => {
    expect(loadConfig({ DEFAULT_MODEL: 'base' }).MODEL_ALIASES['whisper-1']).toBe('base');
  });

  test('empty variables mean unset', () => {
    const c = loadConfig({ PORT: '', API_KEYS: '', PRELOAD_MODELS: '' });
    expect(c.PORT).toBe(8000);
    expect(c.API_KEYS).toEqual([]);
    expect(c.PRELOAD_MODELS).toEqual(['tiny.en']);
  });

  test('"false" is false (z.coerce.boolean would say true)', () => {
    expect(loadConfig({ USE_GPU: 'false', METRICS_REQUIRE_AUTH: '0' })).toMatchObject({ USE_GPU: false, METRICS_REQUIRE_AUTH: false });
  });

  test('every problem is reported at once', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'eighty', POOL_CONCURRENCY: '17', USE_GPU: 'maybe', LOG_LEVEL: 'loud', MODEL_ALIASES: 'broken' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    for (const key of ['PORT', 'POOL_CONCURRENCY', 'USE_GPU', 'LOG_LEVEL', 'MODEL_ALIASES']) expect(problems).toContain(key);
  });

  test('threadpool: slots for two models at least, plus 4', () => {
    expect(threadpoolSize(loadConfig({}))).toBe(2 * 2 + 4);
    expect(threadpoolSize(loadConfig({ POOL_CONCURRENCY: '3', PRELOAD_MODELS: 'a,b,c' }))).toBe(3 * 3 + 4);
  });

  test('config.ts stays light: main.ts imports it before the addon', async () => {
    const src = await import('node:fs').then((fs) => fs.readFileSync(new URL('../../src/config.ts', import.meta.url), 'utf8'));
    const imports = [...src.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    expect(imports.sort()).toEqual(['node:os', 'zod']);
  });
});
