/**
 * Process entry: read config, make sure the libuv threadpool is sized for the model pool, then
 * load the app (and with it the native addon). Each running transcription holds a threadpool
 * thread for its whole duration, so the default 4 threads would starve fs and ffmpeg I/O.
 * Only config.ts is imported statically: it is cheap and loads nothing native.
 */
import { ConfigError, loadConfig, threadpoolSize, type Config } from './config.js';

// `serve` (SageMaker's `docker run <image> serve`): the port, model dir and drain grace it expects.
if (process.argv.slice(2).includes('serve')) {
  const { applySageMakerEnv } = await import('./sagemaker/serve-env.js');
  applySageMakerEnv(process.env);
}

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(2);
}
if (!process.env.UV_THREADPOOL_SIZE || !process.env.MALLOC_MMAP_THRESHOLD_) {
  // Too late to set them for this process (see relaunch.ts): run again with them set.
  const { relaunchWithEnvironment } = await import('./relaunch.js');
  process.exit(await relaunchWithEnvironment(threadpoolSize(config)));
}

const { buildApp } = await import('./app.js');
const app = await buildApp(config);
await app.listen({ host: config.HOST, port: config.PORT });
app.log.info({ uvThreadpoolSize: Number(process.env.UV_THREADPOOL_SIZE) }, 'threadpool size');
// ROLE=api runs no job worker; ROLE=worker serves no public route (src/app.ts).
app.log.info({ role: config.ROLE, jobsBackend: config.JOBS_BACKEND, storage: config.STORAGE }, 'role');

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  const { lifecycle } = app.services;
  const graceMs = config.SHUTDOWN_GRACE_SECONDS * 1000;
  app.log.info({ signal, inFlight: lifecycle.inFlight() }, 'draining');
  // /ready turns 503 and new work is refused, but the listener stays open until work is done.
  lifecycle.startDrain();
  const drained = await lifecycle.idle(graceMs);
  if (!drained) {
    app.log.warn({ inFlight: lifecycle.inFlight() }, 'grace period over; aborting the work in flight');
    // Closing the pool aborts running jobs; their requests then finish with an error.
    await app.services.pool.close().catch((err) => app.log.error({ err }, 'pool close failed'));
  }
  const timer = setTimeout(() => process.exit(1), 5000);
  timer.unref();
  await app.close();
  app.log.info('bye');
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
