/**
 * moto's S3 server (real S3 protocol over HTTP) on a free 127.0.0.1 port, for the S3 contract runs
 * and the multi-replica test. `pip install "moto[server]"` provides `moto_server` (scripts/setup.sh
 * installs it); a missing binary fails the test, it never skips it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/storage/s3-client.js';

export interface MotoServer {
  endpoint: string;
  /** Environment for a child process (the server) to reach it through the standard AWS chain. */
  env: Record<string, string>;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The fake credentials moto accepts; also set in this process for clients built here. */
export const MOTO_ENV = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: 'us-east-1',
  // Never reach for the instance metadata service from a test.
  AWS_EC2_METADATA_DISABLED: 'true',
};

export async function startMoto(timeoutMs = 30_000): Promise<MotoServer> {
  Object.assign(process.env, MOTO_ENV);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const logs: string[] = [];
  const proc: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...MOTO_ENV },
  });
  proc.stdout!.on('data', (c: Buffer) => logs.push(c.toString()));
  proc.stderr!.on('data', (c: Buffer) => logs.push(c.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const spawnError = new Promise<never>((_, reject) =>
    proc.once('error', (err) => reject(new Error(`moto_server could not start (pip install "moto[server]"): ${err.message}`))),
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const up = await Promise.race([
      fetch(`${endpoint}/moto-api/`).then((r) => r.ok, () => false),
      spawnError,
    ]);
    if (up) break;
    if (Date.now() > deadline || proc.exitCode !== null) {
      proc.kill('SIGKILL');
      throw new Error(`moto_server did not start on ${endpoint}:\n${logs.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const client = createS3Client({ S3_ENDPOINT: endpoint, S3_FORCE_PATH_STYLE: true });
  return {
    endpoint,
    env: { ...MOTO_ENV, S3_ENDPOINT: endpoint, S3_FORCE_PATH_STYLE: 'true' },
    createBucket: async (name) => void (await client.send(new CreateBucketCommand({ Bucket: name }))),
    stop: async () => {
      client.destroy();
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    },
  };
}
