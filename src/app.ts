/**
 * buildApp(config, deps): the only place where plugins and routes are registered, in order.
 * main.ts and every test call it; tests pass fakes for the pool and the decoder, production
 * leaves them out and gets whisper.cpp and ffmpeg (imported lazily, so http/ never loads the
 * native addon and a test app never pays for it).
 */
import cors from '@fastify/cors';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AudioDecoder } from './audio/types.js';
import type { Config } from './config.js';
import fs from 'node:fs';
import path from 'node:path';
import websocket from '@fastify/websocket';
import type { Engine, ModelPool, VoiceActivityDetector } from './engine/types.js';
import { frameworkErrors, registerErrorHandlers } from './http/error-handler.js';
import authPlugin from './http/plugins/auth.js';
import drainPlugin from './http/plugins/drain.js';
import metricsPlugin from './http/plugins/metrics.js';
import requestContext, { genReqId } from './http/plugins/request-context.js';
import servicesPlugin from './http/plugins/services.js';
import swaggerPlugin from './http/plugins/swagger.js';
import uploadsPlugin from './http/plugins/uploads.js';
import audioRoutes from './http/routes/audio.js';
import healthRoutes from './http/routes/health.js';
import modelRoutes from './http/routes/models.js';
import clientSecretRoutes from './http/routes/realtime-client-secrets.js';
import realtimeRoutes, { websocketOptions } from './http/routes/realtime.js';
import playgroundRoutes from './http/routes/playground.js';
import statusRoutes from './http/routes/status.js';
import whisperRoutes from './http/routes/whisper.js';
import { serializerCompiler, validatorCompiler } from './http/type-provider.js';
import type { AppServices } from './http/types.js';
import { createLifecycle } from './services/lifecycle.js';
import { createMetrics } from './services/metrics.js';
import { createModelCatalog, type ModelCatalog } from './services/models.js';
import { createTranscriptionService } from './services/transcription.js';
import type { Diarizer } from './diarization/types.js';
import { toLanguageCode } from './format/languages.js';
import { createRealtimeMetrics } from './realtime/metrics.js';
import { signingKey } from './realtime/client-secrets.js';
import { createRealtimeService } from './realtime/service.js';
import { createJobsFromConfig } from './jobs/wire.js';
import { createFfprobeDuration } from './jobs/probe.js';
import jobRoutes from './http/routes/jobs.js';
import sagemakerRoutes from './http/routes/sagemaker.js';
import { createSageMakerFromConfig } from './sagemaker/wire.js';

export const VERSION = '0.1.0';

export interface AppDeps {
  pool?: ModelPool;
  decoder?: AudioDecoder;
  models?: ModelCatalog;
  /**
   * Silero VAD for realtime server_vad turns. Tests inject a fake; production loads
   * models/ggml-silero-v6.2.0.bin through Engine.loadVad when both exist. Absent: server_vad is refused.
   */
  vad?: VoiceActivityDetector;
  /** The speaker models for gpt-4o-transcribe-diarize. Absent: only stereo files split by channel. */
  diarizer?: Diarizer;
}

/** The VAD weights realtime server_vad loads from MODELS_DIR. */
export const VAD_MODEL_FILE = 'ggml-silero-v6.2.0.bin';

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<FastifyInstance> {
  const models =
    deps.models ??
    createModelCatalog({
      modelsDir: config.MODELS_DIR,
      defaultModel: config.DEFAULT_MODEL,
      aliases: config.MODEL_ALIASES,
      catalogFiles: [`${config.MODELS_DIR}/catalog.json`, new URL('../models/catalog.json', import.meta.url).pathname],
    });
  const engine = deps.pool ? undefined : await createRealEngine(config);
  const pool = deps.pool ?? (await createRealPool(config, models, engine!));
  const decoder = deps.decoder ?? (await createRealDecoder(config));
  const vad = deps.pool ? deps.vad : (deps.vad ?? (await loadVad(engine!, config)));
  // Speaker models (npm run models -- import-diarization); without them, diarize requests get a 400.
  const diarizer = deps.pool ? deps.diarizer : (deps.diarizer ?? (await loadDiarizationModels(config)));
  const metrics = createMetrics(pool);
  const transcription = createTranscriptionService({
    pool,
    decoder,
    models,
    observer: metrics,
    maxAudioSeconds: config.MAX_AUDIO_SECONDS,
    defaults: { beamSize: config.BEAM_SIZE, bestOf: config.BEST_OF, threads: config.THREADS_PER_REQUEST },
    vad: { default: config.VAD_FILTER, available: vad !== undefined },
    shortWindow: config.SHORT_WINDOW,
    longForm: { mode: config.LONG_FORM, detector: vad, beamSize: config.LONG_FORM_BEAM_SIZE, maxWorkers: config.LONG_FORM_WORKERS === 'auto' ? undefined : config.LONG_FORM_WORKERS },
    diarizer,
  });
  // With the real decoder, async uploads are probed at submit (non-audio and over-long files refused at once).
  const probe = deps.decoder ? undefined : createFfprobeDuration();
  const jobs = await createJobsFromConfig(config, { transcription, models, registry: metrics.registry, probe });
  const services: AppServices = {
    config,
    jobs,
    models,
    pool,
    lifecycle: createLifecycle(),
    metrics,
    transcription,
    realtime: createRealtimeService({
      // Every turn decode, the final one too, at REALTIME_BEAM_SIZE (default greedy: beam 5 cost latency
      // and read the live clips worse, BENCHMARKS.md, "Realtime: live captions"); a partial can then stand in for it.
      // Partials make one pass, without the temperature fallback: a partial cut mid-word failed the
      // log-probability check and sampled five more passes, and a session's next partial waited seconds
      // for them (BENCHMARKS.md, "Realtime: partials without the fallback").
      transcribe: ({ model, pcm, language, prompt, signal, shortWindow, partial }) =>
        transcription.transcribePcm({ model, pcm, language, prompt, signal, priority: 'live', wordTimestamps: true, beamSize: config.REALTIME_BEAM_SIZE, shortWindow, fallback: !partial }),
      resolveModel: (name) => models.require(name),
      languageCode: toLanguageCode,
      defaultModel: models.defaultModel,
      vad,
      observer: createRealtimeMetrics(metrics.registry),
      limits: {
        idleTimeoutMs: config.REALTIME_IDLE_TIMEOUT_SECONDS * 1000,
        maxDurationMs: config.REALTIME_MAX_SESSION_SECONDS * 1000,
        maxAppendBytes: config.REALTIME_MAX_APPEND_BYTES,
        maxSessionsPerModel: config.REALTIME_MAX_SESSIONS_PER_MODEL,
        decodeIntervalMs: config.REALTIME_DECODE_INTERVAL_MS,
        firstDecodeMs: config.REALTIME_FIRST_DECODE_MS,
        firstWordsIntervalMs: config.REALTIME_FIRST_WORDS_INTERVAL_MS,
        commitHoldbackMs: config.REALTIME_COMMIT_HOLDBACK_MS,
        commitMinProbability: config.REALTIME_COMMIT_MIN_PROBABILITY,
        maxDecodeSeconds: 30,
        audioCtx: config.REALTIME_AUDIO_CTX,
        turnContext: config.REALTIME_TURN_CONTEXT,
      },
      secretKey: signingKey(config.API_KEYS),
    }),
  };

  const app = Fastify({
    logger: { level: config.LOG_LEVEL },
    ...(config.TLS_CERT_FILE && config.TLS_KEY_FILE
      ? { https: { cert: fs.readFileSync(config.TLS_CERT_FILE), key: fs.readFileSync(config.TLS_KEY_FILE) } }
      : {}),
    genReqId,
    frameworkErrors,
    // Keep-alive sockets idle during a drain are closed so close() does not wait on them.
    forceCloseConnections: 'idle',
    // While closing, let requests reach our handlers: they answer an OpenAI-shaped 503 draining
    // instead of Fastify's own body.
    return503OnClosing: false,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandlers(app);

  await app.register(servicesPlugin, { services });
  await app.register(requestContext);
  if (config.CORS_ORIGINS.length > 0) {
    await app.register(cors, {
      origin: config.CORS_ORIGINS.includes('*') ? '*' : [...config.CORS_ORIGINS],
      exposedHeaders: ['x-request-id', 'retry-after'],
    });
  }
  await app.register(authPlugin, { keys: config.API_KEYS });
  await app.register(drainPlugin);
  await app.register(metricsPlugin);
  // ROLE=worker: a job-worker pod serves only the probes and /metrics, never the public API
  // (no Service selects it). ROLE=api runs no job worker: createJobsFromConfig reads ROLE too.
  if (config.ROLE === 'worker') {
    await app.register(healthRoutes);
  } else {
    await app.register(uploadsPlugin, {
      maxUploadBytes: config.MAX_UPLOAD_BYTES,
      tmpDir: config.TMP_DIR,
      ...(config.DECODE_WHILE_UPLOADING ? { earlyDecode: { decoder, maxDurationSeconds: config.MAX_AUDIO_SECONDS } } : {}),
    });
    await app.register(swaggerPlugin, { version: VERSION });

    await app.register(healthRoutes);
    await app.register(modelRoutes);
    await app.register(audioRoutes);
    await app.register(jobRoutes);
    await app.register(whisperRoutes);
    // SageMaker's /ping and /invocations: the same transcription service behind SageMaker's envelope.
    const sagemaker = createSageMakerFromConfig(config, { transcription, defaultModel: models.defaultModel, isReady: () => pool.isLoaded(models.defaultModel) });
    await app.register(sagemakerRoutes, { sagemaker });
    await app.register(websocket, { options: websocketOptions(config.REALTIME_MAX_APPEND_BYTES) });
    await app.register(realtimeRoutes);
    await app.register(clientSecretRoutes);
    await app.register(statusRoutes);
    await app.register(playgroundRoutes);
  }
  if (vad && !deps.vad) app.addHook('onClose', async () => vad.free());
  if (diarizer && !deps.diarizer && 'close' in diarizer) app.addHook('onClose', async () => (diarizer as { close(): Promise<void> }).close());
  // Job and webhook workers run once the app is ready; on close they hand running jobs back.
  app.addHook('onReady', async () => jobs.start());
  app.addHook('onClose', async () => jobs.close());

  // Models load after listen, never inside registration (pluginTimeout is 10 s, and /health
  // must answer while a large model loads). Tests using inject() call preloadModels() directly.
  app.addHook('onListen', async () => {
    void preloadModels(app);
  });
  return app;
}

/** Loads PRELOAD_MODELS one by one; failures are logged and leave /ready at 503. */
export async function preloadModels(app: FastifyInstance): Promise<void> {
  const { config, models, pool } = app.services;
  for (const name of config.PRELOAD_MODELS) {
    const info = models.resolve(name);
    if (!info) {
      app.log.error({ model: name }, `cannot preload '${name}': no weights in ${config.MODELS_DIR} (run: npm run models -- fetch-test)`);
      continue;
    }
    try {
      await pool.load(info.name);
      app.log.info({ model: info.name }, 'model loaded');
    } catch (err) {
      app.log.error({ err, model: info.name }, 'model failed to load');
    }
  }
}

async function createRealEngine(config: Config): Promise<Engine> {
  const { createWhisperEngine } = await import('./engine/whisper.js');
  return createWhisperEngine({ defaultThreads: config.THREADS_PER_REQUEST ?? config.CPU_THREADS, flashAttn: config.FLASH_ATTN });
}

/** The Silero VAD when the engine can load one and its weights are present; otherwise undefined. */
async function loadVad(engine: Engine, config: Config): Promise<VoiceActivityDetector | undefined> {
  const file = path.join(config.MODELS_DIR, VAD_MODEL_FILE);
  if (typeof engine.loadVad !== 'function' || !fs.existsSync(file)) return undefined;
  try {
    return await engine.loadVad(file);
  } catch (err) {
    // server_vad is then refused with an error event; everything else works.
    console.error(`realtime: could not load the VAD from ${file}: ${String(err)}`);
    return undefined;
  }
}

async function loadDiarizationModels(config: Config): Promise<Diarizer | undefined> {
  const { loadDiarizer } = await import('./diarization/load.js');
  try {
    return await loadDiarizer(config.MODELS_DIR);
  } catch (err) {
    // Transcription works without it; diarize requests then answer diarization_unavailable.
    console.error(`diarization: could not load the speaker models from ${config.MODELS_DIR}: ${String(err)}`);
    return undefined;
  }
}

async function createRealPool(config: Config, models: ModelCatalog, engine: Engine): Promise<ModelPool> {
  const { createModelPool } = await import('./engine/pool.js');
  return createModelPool({
    engine,
    resolve: (name) => models.resolve(name),
    concurrency: config.POOL_CONCURRENCY,
    maxQueue: config.QUEUE_MAX,
    idleTtlSeconds: config.MODEL_IDLE_TTL_SECONDS,
    // Preloaded models are what /ready promises; an idle TTL must never unload them.
    pinned: config.PRELOAD_MODELS.flatMap((name) => models.resolve(name)?.name ?? []),
    useGpu: config.USE_GPU,
    cpuThreads: config.THREADS_PER_REQUEST ? config.THREADS_PER_REQUEST * config.POOL_CONCURRENCY : config.CPU_THREADS,
  });
}

async function createRealDecoder(config: Config): Promise<AudioDecoder> {
  const { createFfmpegDecoder } = await import('./audio/ffmpeg.js');
  const { withWavReader } = await import('./audio/wav.js');
  return config.DECODE_WAV_IN_PROCESS ? withWavReader(createFfmpegDecoder()) : createFfmpegDecoder();
}
