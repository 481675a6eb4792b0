/**
 * The rendered manifests against the server they deploy: probe paths are real routes, ports and
 * env names come from src/config.ts, and shutdown timing lets in-flight requests finish.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, threadpoolSize } from '../../src/config.js';
import { findModel, loadCatalog } from '../../src/models-cli/catalog.js';
import { makeTestApp, type TestApp } from '../http/helpers/app.js';
import { OVERLAYS, one, render, type OverlayName } from './render.js';

/** Every env name the server reads: loadConfig fills a default for each one. */
const SCHEMA_KEYS = new Set(Object.keys(loadConfig({}, 2)));

function server(overlay: OverlayName) {
  const objects = render(OVERLAYS[overlay]);
  const deploy = one(objects, 'Deployment', 'whisper-server');
  const pod = deploy.spec.template.spec;
  const container = pod.containers.find((c: { name: string }) => c.name === 'server');
  const configMap = one(objects, 'ConfigMap');
  return { objects, deploy, pod, container, configMap, config: loadConfig(configMap.data ?? {}, 2) };
}

describe.each(Object.keys(OVERLAYS) as OverlayName[])('overlay %s', (overlay) => {
  it('takes the server env from a ConfigMap whose names all exist in the config schema', () => {
    const { container, configMap } = server(overlay);
    const unknown = Object.keys(configMap.data ?? {}).filter((k) => !SCHEMA_KEYS.has(k));
    expect(unknown).toEqual([]);
    expect(container.envFrom).toContainEqual({ configMapRef: { name: configMap.metadata.name } });
    // The values parse too (loadConfig throws on any invalid one).
    expect(() => loadConfig(configMap.data ?? {}, 2)).not.toThrow();
  });

  it('reads API_KEYS from a Secret, never from the ConfigMap', () => {
    const { container, configMap } = server(overlay);
    expect(configMap.data).not.toHaveProperty('API_KEYS');
    const apiKeys = container.env.find((e: { name: string }) => e.name === 'API_KEYS');
    expect(apiKeys.valueFrom.secretKeyRef).toMatchObject({ name: 'whisper-api-keys', key: 'API_KEYS' });
  });

  it('exposes PORT as the named http port that every probe, the Service and the Ingress use', () => {
    const { objects, container, config } = server(overlay);
    expect(container.ports).toEqual([{ name: 'http', containerPort: config.PORT, protocol: 'TCP' }]);
    expect(container.startupProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    const svc = one(objects, 'Service', 'whisper-server');
    expect(svc.spec.ports[0].targetPort).toBe('http');
    const ingress = one(objects, 'Ingress', 'whisper-server');
    for (const rule of ingress.spec.rules) {
      for (const p of rule.http.paths) expect(p.backend.service).toEqual({ name: 'whisper-server', port: { name: 'http' } });
    }
  });

  it('sets UV_THREADPOOL_SIZE as the server would compute it, so it starts without relaunching', () => {
    const { container, config } = server(overlay);
    const uv = container.env.find((e: { name: string }) => e.name === 'UV_THREADPOOL_SIZE');
    expect(uv?.value).toBe(String(threadpoolSize(config)));
  });

  it('gives model loading minutes before liveness applies', () => {
    const { container } = server(overlay);
    const { periodSeconds, failureThreshold } = container.startupProbe;
    expect(periodSeconds * failureThreshold).toBeGreaterThanOrEqual(300);
  });

  it('lets SIGKILL come only after preStop + SHUTDOWN_GRACE_SECONDS have run out', () => {
    const { pod, container, config } = server(overlay);
    const preStop = Number(container.lifecycle.preStop.exec.command[1]);
    expect(config.SHUTDOWN_GRACE_SECONDS).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(config.SHUTDOWN_GRACE_SECONDS);
    // ~5 s of its own exit timer (src/main.ts) after the grace period.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStop + config.SHUTDOWN_GRACE_SECONDS + 10);
  });

  it('runs as non-root with a read-only root filesystem and writable volumes where the server writes', () => {
    const { pod, container, config } = server(overlay);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    for (const c of [...pod.initContainers, ...pod.containers]) {
      expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      expect(c.resources.requests).toBeDefined();
      expect(c.resources.limits).toBeDefined();
    }
    const mounts = new Set(container.volumeMounts.map((m: { mountPath: string }) => m.mountPath));
    const home = container.env.find((e: { name: string }) => e.name === 'HOME').value;
    for (const dir of [config.TMP_DIR, config.MODELS_DIR, home]) expect(mounts).toContain(dir);
  });

  it('pulls DEFAULT_MODEL in an init container, verified against the catalogue, into MODELS_DIR', () => {
    const { pod, config } = server(overlay);
    expect(pod.initContainers).toHaveLength(1);
    const init = pod.initContainers[0] as {
      command: string[];
      env: Array<{ name: string; value?: string; valueFrom?: { configMapKeyRef: { key: string } } }>;
      volumeMounts: Array<{ mountPath: string }>;
    };
    expect(init.command).toEqual(['/app/scripts/docker/entrypoint.sh']);
    const pull = init.env.find((e) => e.name === 'PULL_MODELS');
    expect(pull?.valueFrom?.configMapKeyRef.key).toBe('DEFAULT_MODEL');
    expect(init.env.find((e) => e.name === 'MODELS_DIR')?.value).toBe(config.MODELS_DIR);
    expect(init.volumeMounts.map((m) => m.mountPath)).toContain(config.MODELS_DIR);
    // The CLI refuses a model without a checksum, so the default must have one.
    const entry = findModel(loadCatalog(), config.DEFAULT_MODEL);
    expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('puts every namespaced object in one namespace', () => {
    const { objects } = server(overlay);
    const clusterScoped = new Set(['Namespace', 'NodePool']);
    const namespaces = new Set(objects.filter((o) => !clusterScoped.has(o.kind)).map((o) => o.metadata.namespace));
    expect([...namespaces]).toEqual(['whisper']);
  });
});

describe('probe paths against the real app (fake engine)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp();
  });
  afterAll(() => t.close());

  it('answers /health at once and /ready only once the default model is loaded', async () => {
    const { container } = server('cpu');
    const liveness = container.livenessProbe.httpGet.path;
    const readiness = container.readinessProbe.httpGet.path;
    expect((await t.app.inject({ method: 'GET', url: liveness })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: readiness })).statusCode).toBe(503);
    await t.pool.load(t.config.DEFAULT_MODEL);
    expect((await t.app.inject({ method: 'GET', url: readiness })).statusCode).toBe(200);
  });
});
