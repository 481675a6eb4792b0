/**
 * Backlog autoscaling: the HPA (via the Prometheus Adapter) and the KEDA alternative both target
 * the Deployment and the queue-depth gauge that the server really exports.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createMetrics } from '../../src/services/metrics.js';
import type { PoolStats } from '../../src/engine/types.js';
import { OVERLAYS, ROOT, one, render, type OverlayName } from './render.js';

const METRIC = 'whisper_queue_depth';
const readYaml = (file: string) => parse(readFileSync(path.join(ROOT, file), 'utf8'));

const hpaOverlays: OverlayName[] = ['cpu', 'gke', 'eks'];
const kedaOverlays: OverlayName[] = ['cpu+keda', 'gke+keda'];

describe.each(hpaOverlays)('HPA in overlay %s', (overlay) => {
  it('scales the Deployment on average queue depth per pod', () => {
    const objects = render(OVERLAYS[overlay]);
    const hpa = one(objects, 'HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    const deploy = one(objects, 'Deployment');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deploy.metadata.name });
    expect(hpa.spec.metrics).toEqual([
      { type: 'Pods', pods: { metric: { name: METRIC }, target: { type: 'AverageValue', averageValue: '1' } } },
    ]);
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(1);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    expect(objects.some((o) => o.kind === 'ScaledObject')).toBe(false);
  });
});

describe.each(kedaOverlays)('KEDA in %s', (overlay) => {
  it('replaces the HPA with a ScaledObject on the same metric and Deployment', () => {
    const objects = render(OVERLAYS[overlay]);
    expect(objects.some((o) => o.kind === 'HorizontalPodAutoscaler')).toBe(false);
    const so = one(objects, 'ScaledObject');
    const deploy = one(objects, 'Deployment');
    expect(so.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deploy.metadata.name });
    const [trigger] = so.spec.triggers;
    expect(trigger.type).toBe('prometheus');
    expect(trigger.metadata.query).toContain(`${METRIC}{`);
    // The query filters on the namespace the overlay deploys to, and the ServiceMonitor's job label.
    expect(trigger.metadata.query).toContain(`namespace="${deploy.metadata.namespace}"`);
    expect(trigger.metadata.query).toContain(`job="${one(objects, 'Service').metadata.name}"`);
  });
});

describe('metric plumbing', () => {
  it('scrapes the Service the Ingress uses, on /metrics, by label', () => {
    const objects = render(OVERLAYS.cpu);
    const sm = one(objects, 'ServiceMonitor');
    const svc = one(objects, 'Service');
    expect(sm.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) expect(svc.metadata.labels?.[k]).toBe(v);
  });

  it('exposes the metric per pod through the Prometheus Adapter rules (ConfigMap and Helm values agree)', () => {
    const rules = readYaml('k8s/prometheus-adapter/rules.yaml').rules;
    expect(readYaml('k8s/prometheus-adapter/values.yaml').rules.custom).toEqual(rules);
    const rule = rules.find((r: { name: { as: string } }) => r.name.as === METRIC);
    expect(rule.seriesQuery).toMatch(new RegExp(`^'?${METRIC}\\{`));
    expect(rule.resources.overrides).toEqual({ namespace: { resource: 'namespace' }, pod: { resource: 'pod' } });
    const adapter = render('k8s/prometheus-adapter');
    expect(parse(one(adapter, 'ConfigMap', 'adapter-config').data!['config.yaml']).rules).toEqual(rules);
  });

  it('is a gauge the server exports, labelled by model', async () => {
    const stats: PoolStats = {
      model: 'tiny.en', loaded: true, inFlight: 2, queued: 3, concurrency: 2, maxQueue: 32, completed: 0,
      failed: 0, aborted: 0, rejected: 0, audioSecondsProcessed: 0, avgJobSeconds: 0,
    };
    const metrics = createMetrics({ stats: () => [stats], on: () => {} });
    const text = await metrics.registry.getSingleMetricAsString(METRIC);
    expect(text).toContain(`# TYPE ${METRIC} gauge`);
    expect(text).toContain(`${METRIC}{model="tiny.en"} 3`);
  });
});
