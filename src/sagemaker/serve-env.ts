/**
 * `serve`: how SageMaker starts a hosting container (`docker run <image> serve`). It sets the
 * environment SageMaker's contract needs before config is read, and changes nothing else:
 * - listen on SAGEMAKER_BIND_TO_PORT (multi-container endpoints assign it), else 8080;
 * - read weights from /opt/ml/model, where SageMaker unpacks ModelDataUrl, when it holds any;
 * - SageMaker sends SIGKILL 30 s after SIGTERM: keep the drain grace well inside that (20 s
 *   by default, at most 25 s), so in-flight invocations finish and the process exits by itself;
 * - keep the job database and blobs under /tmp unless DATA_DIR says otherwise (the app
 *   directory is not writable in the image).
 * Pure over an env object, so it is tested without starting anything.
 */
import fs from 'node:fs';
import path from 'node:path';

export const SAGEMAKER_MODEL_DIR = '/opt/ml/model';
export const SAGEMAKER_DEFAULT_PORT = 8080;
export const MAX_GRACE_SECONDS = 25;

export function hasWeights(dir: string): boolean {
  try {
    return fs.readdirSync(dir).some((f) => /^ggml-.+\.bin$/.test(f));
  } catch {
    return false;
  }
}

export function applySageMakerEnv(env: NodeJS.ProcessEnv, modelDir = SAGEMAKER_MODEL_DIR, weightsIn = hasWeights): NodeJS.ProcessEnv {
  env.PORT = env.SAGEMAKER_BIND_TO_PORT || String(SAGEMAKER_DEFAULT_PORT);
  env.HOST ||= '0.0.0.0';
  if (weightsIn(modelDir)) env.MODELS_DIR = modelDir;
  const grace = Number(env.SHUTDOWN_GRACE_SECONDS);
  env.SHUTDOWN_GRACE_SECONDS = String(env.SHUTDOWN_GRACE_SECONDS && Number.isFinite(grace) ? Math.min(grace, MAX_GRACE_SECONDS) : 20);
  env.DATA_DIR ||= path.join(env.TMP_DIR || '/tmp', 'whisper-data');
  return env;
}
