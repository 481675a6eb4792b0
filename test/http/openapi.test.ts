/**
 * The OpenAPI document: generated from the zod schemas, committed as openapi/openapi.json, and
 * linted with Redocly's recommended ruleset (structural validity plus API-description hygiene).
 */
import fs from 'node:fs/promises';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { beforeAll, expect, test } from 'vitest';
import { OPENAPI_PATH, buildOpenApiDocument } from '../../scripts/write-openapi.js';

let generated: string;
beforeAll(async () => {
  generated = await buildOpenApiDocument();
});

test('the committed openapi/openapi.json matches the code (run `npm run openapi` after changing a schema)', async () => {
  const committed = await fs.readFile(OPENAPI_PATH, 'utf8');
  expect(committed).toBe(generated);
});

test('the document passes the Redocly linter (recommended rules) with no errors or warnings', async () => {
  const config = await createConfig({
    extends: ['recommended'],
    // /health, /ready and /metrics have no client errors to document; every other operation does.
    rules: { 'operation-4xx-response': 'off' },
  });
  const problems = await lintFromString({ source: generated, absoluteRef: OPENAPI_PATH, config });
  const summary = problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
  expect(summary).toEqual([]);
});

test('every compatible route and its OpenAI field names are documented', () => {
  const doc = JSON.parse(generated);
  expect(Object.keys(doc.paths).sort()).toEqual(
    ['/health', '/metrics', '/ready', '/v1/audio/transcriptions', '/v1/audio/translations',
      '/v1/audio/jobs', '/v1/audio/jobs/{job_id}', '/v1/audio/jobs/{job_id}/result', '/v1/audio/jobs/{job_id}/cancel', '/v1/models', '/v1/models/{model}', '/v1/realtime', '/v1/realtime/client_secrets', '/v1/realtime/transcription_sessions', '/v1/status', '/whisper', '/ping', '/invocations'].sort(),
  );
  const form = doc.paths['/v1/audio/transcriptions'].post.requestBody.content['multipart/form-data'].schema;
  expect(Object.keys(form.properties).sort()).toEqual(
    ['chunking_strategy', 'file', 'include', 'keywords', 'known_speaker_names', 'known_speaker_references', 'language', 'languages', 'model', 'prompt', 'response_format', 'stream', 'temperature', 'timestamp_granularities'].sort(),
  );
  expect(form.properties.response_format.enum).toContain('diarized_json');
  expect(doc.components.schemas.TranscriptionDiarized.required.sort()).toEqual(['duration', 'segments', 'task', 'text', 'usage']);
  expect(Object.keys(doc.components.schemas.Transcription.properties)).toEqual(['text', 'languages', 'logprobs', 'usage']);
  expect(form.properties.file).toMatchObject({ type: 'string', format: 'binary' });
  expect(form.properties.stream.type).toBe('boolean');
  expect(form.properties.timestamp_granularities.type).toBe('array');
  expect(doc.components.schemas.ErrorResponse.properties.error.required.sort()).toEqual(['code', 'message', 'param', 'type']);
});
