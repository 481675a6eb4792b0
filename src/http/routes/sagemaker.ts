/**
 * The SageMaker hosting contract: GET /ping and POST /invocations, which SageMaker calls on
 * port 8080 (or SAGEMAKER_BIND_TO_PORT) of a container started with `serve`.
 * https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-inference-code.html
 * Thin: bodies are spooled here (raw audio straight to a temp file, JSON capped small), the rest
 * is src/sagemaker/. Body parsers are scoped to this plugin, so other routes are untouched.
 */
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errors } from '../../errors.js';
import { ACCEPTED_OUTPUT_TYPES } from '../../sagemaker/accept.js';
import { CUSTOM_ATTRIBUTES_HEADER, parseCustomAttributes } from '../../sagemaker/attributes.js';
import { sagemakerErrors } from '../../sagemaker/errors.js';
import { parseInvocation } from '../../sagemaker/request.js';
import { REALTIME_MAX_BYTES, type SageMakerService } from '../../sagemaker/service.js';
import { ByteCounter } from '../../storage/byte-limit.js';
import { ErrorBody, errorResponses } from '../schemas/common.js';
import type { FastifyPluginAsyncZod } from '../type-provider.js';

type Body = { kind: 'raw'; path: string; bytes: number } | { kind: 'json'; value: unknown };

const errorReply = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBody } } });
const DESCRIPTION = `Transcribes one audio file. The body is either the audio bytes (\`Content-Type: audio/*\` or \`application/octet-stream\`) or JSON \`{"audio_b64" | "audio_url", ...parameters}\`; \`audio_url\` is http(s) to a public address, or \`s3://bucket/key\` in S3_INPUT_BUCKETS.
Parameters (\`model\`, \`task\`, \`language\`, \`prompt\`, \`temperature\`, \`response_format\`, \`timestamp_granularities\`, \`chunking_strategy\`: \`auto\` or, in JSON only, \`{"type": "server_vad", ...}\`; \`keywords\`, \`languages\`, \`include\` (\`logprobs\`) as arrays; \`model=gpt-4o-transcribe-diarize\` with \`response_format=diarized_json\`) come from the JSON body or from \`X-Amzn-SageMaker-Custom-Attributes: k=v,k=v\` (values percent-encoded), which is echoed back. \`Accept\` picks the output: ${ACCEPTED_OUTPUT_TYPES.map((t) => `\`${t}\``).join(', ')}.
Limits: 6 MiB and 60 s per invocation; with SAGEMAKER_ASYNC=true, ASYNC_MAX_UPLOAD_BYTES and 1 h.`;

async function spoolDir(request: FastifyRequest, tmpDir: string): Promise<string> {
  request.uploadDir ??= await fs.mkdtemp(path.join(tmpDir, 'whisper-invocation-'));
  return request.uploadDir;
}

const sagemakerRoutes: FastifyPluginAsyncZod<{ sagemaker: SageMakerService }> = async (app, { sagemaker }) => {
  const { lifecycle, config } = app.services;
  const maxBytes = sagemaker.limits.maxBytes;
  // Base64 JSON is for small clips: 4/3 of the real-time cap at most, even in async mode.
  const jsonLimit = Math.ceil((Math.min(maxBytes, REALTIME_MAX_BYTES) * 4) / 3) + 64 * 1024;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^(audio\/[\w.+-]+|application\/octet-stream)\s*(;|$)/i, async (request: FastifyRequest, payload: NodeJS.ReadableStream) => {
    const declared = Number(request.headers['content-length']);
    if (declared > maxBytes) throw errors.fileTooLarge(maxBytes);
    const file = path.join(await spoolDir(request, config.TMP_DIR), 'body');
    const counter = new ByteCounter(maxBytes);
    await pipeline(payload, counter, createWriteStream(file));
    return { kind: 'raw', path: file, bytes: counter.bytes } satisfies Body;
  });
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: jsonLimit }, async (_request: FastifyRequest, text: string | Buffer) => {
    try {
      return { kind: 'json', value: JSON.parse(String(text)) } satisfies Body;
    } catch (err) {
      throw errors.invalidRequest(`The body is not valid JSON: ${(err as Error).message}`, 'body', 'invalid_json');
    }
  });
  app.addContentTypeParser('*', async (request: FastifyRequest) => {
    throw sagemakerErrors.unsupportedContentType(request.headers['content-type']);
  });
  app.addHook('onRequest', async (request, reply) => {
    const attrs = request.headers[CUSTOM_ATTRIBUTES_HEADER];
    if (typeof attrs === 'string') reply.header(CUSTOM_ATTRIBUTES_HEADER, attrs);
    // A caller that hangs up mid-upload gets no reply, so no onSend: remove the spool here too.
    reply.raw.once('close', () => void (request.uploadDir && fs.rm(request.uploadDir, { recursive: true, force: true }).catch(() => {})));
  });

  app.get('/ping', {
    schema: {
      tags: ['sagemaker'], security: [], operationId: 'sagemakerPing', summary: 'SageMaker health check',
      description: '200 with an empty body once the default model is loaded; 503 before that and while draining. Does no work.',
      response: { 200: { description: 'Ready: empty body.', content: { 'text/plain': { schema: z.string().max(0) } } }, ...errorResponses(503) },
    },
  }, async (_request, reply) => {
    if (lifecycle.draining) throw errors.draining();
    if (!sagemaker.ping()) throw errors.notReady('the default model is not loaded yet.');
    return reply.code(200).type('text/plain; charset=utf-8').send('');
  });

  app.post('/invocations', {
    bodyLimit: Math.max(maxBytes, jsonLimit),
    config: { auth: true, work: true },
    schema: {
      tags: ['sagemaker'], security: [{ bearerAuth: [] }], operationId: 'sagemakerInvoke', summary: 'SageMaker inference (one transcription)', description: DESCRIPTION,
      response: {
        200: { description: 'The transcript in the format Accept asked for.', content: Object.fromEntries(ACCEPTED_OUTPUT_TYPES.map((t) => [t, { schema: t.endsWith('json') ? z.unknown() : z.string() }])) },
        ...errorResponses(400, 401, 404, 413, 415, 429, 500, 503),
        406: errorReply('Accept names no output this endpoint makes.'),
        504: errorReply('The invocation ran past its deadline (60 s; 1 h with SAGEMAKER_ASYNC).'),
      },
    },
  }, async (request, reply) => {
    if (Object.keys(request.query as object).length > 0) {
      throw errors.invalidRequest('/invocations takes no query parameters: put them in X-Amzn-SageMaker-Custom-Attributes or the JSON body.', null, 'unknown_parameter');
    }
    const body = request.body as Body | undefined;
    if (!body) throw sagemakerErrors.emptyBody();
    const accept = request.headers.accept;
    const { source, params } = parseInvocation({
      file: body.kind === 'raw' ? body : undefined,
      json: body.kind === 'json' ? body.value : undefined,
      attributes: parseCustomAttributes(request.headers[CUSTOM_ATTRIBUTES_HEADER]),
      accept,
    });
    const workDir = await spoolDir(request, config.TMP_DIR);
    const rendered = await sagemaker.invoke({ source, params, accept, workDir, signal: request.clientSignal });
    return reply.type(rendered.contentType).send(rendered.body);
  });
};

export default sagemakerRoutes;
