/**
 * The job mode overlays (components/jobs via overlays/gke-jobs and overlays/eks-jobs): API and
 * worker Deployments on one ConfigMap, Redis and the bucket from the cloud's identity, and a
 * worker ScaledObject that reads the very list BullMQ fills (key names from src/jobs/redis/keys.ts).
 */
import { ScaledObject, TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { PodMonitor, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { describe, expect, it } from 'vitest';
import { loadConfig, threadpoolSize } from '../../src/config.js';
import { JOBS_QUEUE, redisKeys } from '../../src/jobs/redis/keys.js';
import { one, render, type K8sObject } from './render.js';

const JOB_OVERLAYS = { gke: 'k8s/overlays/gke-jobs', eks: 'k8s/overlays/eks-jobs' } as const;
// Every env name the server reads; optional ones without a default appear once given a value.
const SCHEMA_KEYS = new Set(
  Object.keys(loadConfig({ S3_BUCKET: 'b', S3_ENDPOINT: 'http://127.0.0.1:1', S3_REGION: 'r', REDIS_URL: 'redis://x' }, 2)),
);

function parts(dir: string) {
  const objects = render(dir);
  const container = (d: K8sObject) => d.spec.template.spec.containers.find((c: { name: string }) => c.name === 'server');
  const env = (d: K8sObject) => Object.fromEntries(container(d).env.map((e: { name: string; value?: string; valueFrom?: unknown }) => [e.name, e.value ?? e.valueFrom]));
  const api = one(objects, 'Deployment', 'whisper-server');
  const worker = one(objects, 'Deployment', 'whisper-worker');
  const configMap = one(objects, 'ConfigMap');
  // REDIS_URL comes from the Secret (checked below); any valid value stands in for it here.
  const config = loadConfig({ ...configMap.data, REDIS_URL: 'rediss://from-the-secret:6379' }, 2);
  return { objects, api, worker, container, env, configMap, config };
}

describe.each(Object.entries(JOB_OVERLAYS))('job mode on %s', (cloud, dir) => {
  it('configures Redis jobs and S3 storage with names the server knows, and values that parse', () => {
    const { configMap, config } = parts(dir);
    expect(Object.keys(configMap.data ?? {}).filter((k) => !SCHEMA_KEYS.has(k))).toEqual([]);
    expect(config).toMatchObject({ JOBS_BACKEND: 'redis', STORAGE: 's3', REDIS_PREFIX: '{whisper}' });
    expect(config.S3_BUCKET).toMatch(/whisper-jobs$/);
    expect(configMap.data).not.toHaveProperty('REDIS_URL');
  });

  it('runs the API with ROLE=api and the workers with ROLE=worker, both on the same ConfigMap and Redis Secret', () => {
    const { api, worker, container, env, configMap, config } = parts(dir);
    expect(env(api).ROLE).toBe('api');
    expect(env(worker).ROLE).toBe('worker');
    for (const d of [api, worker]) {
      expect(env(d).REDIS_URL).toEqual({ secretKeyRef: { name: 'whisper-redis', key: 'REDIS_URL' } });
      expect(container(d).envFrom).toContainEqual({ configMapRef: { name: configMap.metadata.name } });
      expect(d.spec.template.spec.serviceAccountName).toBe('whisper-server');
      expect(env(d).UV_THREADPOOL_SIZE).toBe(String(threadpoolSize(config)));
      expect(container(d).resources.limits['nvidia.com/gpu']).toBe(1);
      expect(container(d).readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    }
    expect(container(worker).image).toBe(container(api).image);
    expect(worker.spec.template.spec.nodeSelector).toEqual(api.spec.template.spec.nodeSelector);
  });

  it('routes no traffic to workers: the Service, the PDBs and the HPA each select their own pods', () => {
    const { objects, api, worker } = parts(dir);
    const labels = (d: K8sObject) => d.spec.template.metadata.labels as Record<string, string>;
    const selects = (sel: Record<string, string>, d: K8sObject) => Object.entries(sel).every(([k, v]) => labels(d)[k] === v);
    const svc = one(objects, 'Service', 'whisper-server');
    expect(selects(svc.spec.selector, api)).toBe(true);
    expect(selects(svc.spec.selector, worker)).toBe(false);
    const pdb = one(objects, 'PodDisruptionBudget', 'whisper-worker');
    expect(selects(pdb.spec.selector.matchLabels, worker)).toBe(true);
    expect(selects(pdb.spec.selector.matchLabels, api)).toBe(false);
    expect(selects(worker.spec.selector.matchLabels, api)).toBe(false);
    expect(one(objects, 'HorizontalPodAutoscaler').spec.scaleTargetRef.name).toBe('whisper-server');
  });

  it("scales the workers with KEDA on BullMQ's wait and active lists, authenticated from the Redis Secret over TLS", () => {
    const { objects, config } = parts(dir);
    const so = one(objects, 'ScaledObject', 'whisper-worker');
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'whisper-worker' });
    const bull = `${redisKeys(config.REDIS_PREFIX).bull}:${JOBS_QUEUE}`;
    const [waiting, active, ...more] = so.spec.triggers;
    expect(more).toEqual([]);
    for (const t of [waiting, active]) {
      expect(t.type).toBe('redis');
      expect(t.metadata.enableTLS).toBe('true');
      expect(t.authenticationRef).toEqual(waiting.authenticationRef);
    }
    expect(waiting.metadata.listName).toBe(`${bull}:wait`);
    // Busy workers are not scaled away: one active job per slot keeps a worker.
    expect(active.metadata.listName).toBe(`${bull}:active`);
    expect(Number(active.metadata.listLength)).toBe(config.JOB_CONCURRENCY);
    const auth = one(objects, 'TriggerAuthentication', waiting.authenticationRef.name);
    expect(auth.spec.secretTargetRef.map((r: { name: string; parameter: string }) => `${r.parameter}:${r.name}`).sort()).toEqual([
      'address:whisper-redis',
      'password:whisper-redis',
    ]);
    expect(() => new ScaledObject(so as never).validate()).not.toThrow();
    expect(() => new TriggerAuthentication(auth as never).validate()).not.toThrow();
  });

  it('scrapes the worker pods (no Service selects them) as the ServiceMonitor scrapes the API', () => {
    const { objects, api, worker } = parts(dir);
    const labels = (d: K8sObject) => d.spec.template.metadata.labels as Record<string, string>;
    const selects = (sel: Record<string, string>, d: K8sObject) => Object.entries(sel).every(([k, v]) => labels(d)[k] === v);
    const pm = one(objects, 'PodMonitor', 'whisper-worker');
    const sm = one(objects, 'ServiceMonitor', 'whisper-server');
    expect(selects(pm.spec.selector.matchLabels, worker)).toBe(true);
    expect(selects(pm.spec.selector.matchLabels, api)).toBe(false);
    const port = worker.spec.template.spec.containers.find((c: { name: string }) => c.name === 'server').ports[0].name;
    expect(pm.spec.podMetricsEndpoints).toEqual([expect.objectContaining({ port, path: '/metrics', interval: sm.spec.endpoints[0].interval })]);
    // Picked up by the same Prometheus (its podMonitorSelector matches what its serviceMonitorSelector does).
    expect(pm.metadata.labels?.release).toBeDefined();
    expect(pm.metadata.labels?.release).toBe(sm.metadata.labels?.release);
    expect(() => new PodMonitor(pm as never).validate()).not.toThrow();
    expect(() => new ServiceMonitor(sm as never).validate()).not.toThrow();
  });

  it('gets bucket credentials from the cloud identity, never from the manifests', () => {
    const { objects, api, worker, container } = parts(dir);
    const sa = one(objects, 'ServiceAccount', 'whisper-server');
    const rendered = JSON.stringify(objects);
    expect(rendered).not.toMatch(/AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID/);
    if (cloud === 'eks') {
      expect(sa.metadata.annotations?.['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d{12}:role\//);
      for (const d of [api, worker]) expect(container(d).envFrom.filter((e: { secretRef?: unknown }) => e.secretRef)).toEqual([]);
    } else {
      expect(sa.metadata.annotations?.['iam.gke.io/gcp-service-account']).toMatch(/@[\w-]+\.iam\.gserviceaccount\.com$/);
      const { config } = parts(dir);
      expect(config.S3_ENDPOINT).toBe('https://storage.googleapis.com');
      for (const d of [api, worker]) expect(container(d).envFrom).toContainEqual({ secretRef: { name: 'whisper-gcs-hmac' } });
    }
  });
});
