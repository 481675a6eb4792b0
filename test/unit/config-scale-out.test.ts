import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('config: storage and jobs backends', () => {
  it('defaults to the embedded backends', () => {
    expect(loadConfig({})).toMatchObject({ STORAGE: 'fs', JOBS_BACKEND: 'sqlite', S3_PREFIX: '', S3_FORCE_PATH_STYLE: false, S3_INPUT_BUCKETS: [], REDIS_PREFIX: 'whisper', ROLE: 'all' });
  });

  it('reads the S3 and Redis settings', () => {
    const c = loadConfig({
      STORAGE: 's3', S3_BUCKET: 'b', S3_PREFIX: 'whisper/', S3_ENDPOINT: 'http://127.0.0.1:9000', S3_REGION: 'eu-west-1',
      S3_FORCE_PATH_STYLE: 'true', S3_INPUT_BUCKETS: 'in-1, in-2', JOBS_BACKEND: 'redis', REDIS_URL: 'rediss://r:6380/0',
    });
    expect(c).toMatchObject({ S3_BUCKET: 'b', S3_FORCE_PATH_STYLE: true, S3_INPUT_BUCKETS: ['in-1', 'in-2'], REDIS_URL: 'rediss://r:6380/0' });
  });

  it('names every missing or malformed setting', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (e) {
        return (e as ConfigError).problems.join('\n');
      }
      return '';
    };
    expect(problems({ STORAGE: 's3', JOBS_BACKEND: 'redis' })).toMatch(/S3_BUCKET[\s\S]*REDIS_URL/);
    expect(problems({ STORAGE: 'gcs' })).toMatch(/STORAGE/);
    expect(problems({ JOBS_BACKEND: 'kafka' })).toMatch(/JOBS_BACKEND/);
    expect(problems({ REDIS_URL: 'http://x' })).toMatch(/REDIS_URL/);
    expect(problems({ ROLE: 'both' })).toMatch(/ROLE/);
    expect(loadConfig({ REDIS_PREFIX: '{whisper}', ROLE: 'worker' })).toMatchObject({ REDIS_PREFIX: '{whisper}', ROLE: 'worker' });
    expect(problems({ S3_ENDPOINT: 'not a url' })).toMatch(/S3_ENDPOINT/);
    expect(problems({ S3_FORCE_PATH_STYLE: 'maybe' })).toMatch(/S3_FORCE_PATH_STYLE/);
  });
});
