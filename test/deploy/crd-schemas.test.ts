/**
 * Custom resources validated against their operators' published CRD schemas (the
 * @kubernetes-models packages are generated from those CRDs). Built-in kinds are validated
 * against the Kubernetes OpenAPI schemas by kubernetes-validate in .ci/deploy-checks.sh
 * (k8s/tools/validate_schemas.py), which skips exactly the kinds listed here.
 */
import { BackendConfig } from '@kubernetes-models/gke/cloud.google.com/v1';
import { NodePool } from '@kubernetes-models/karpenter/karpenter.sh/v1';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { describe, expect, it } from 'vitest';
import { OVERLAYS, render, type K8sObject, type OverlayName } from './render.js';

type Validatable = { validate(): void };
const MODELS: Record<string, (o: K8sObject) => Validatable> = {
  'monitoring.coreos.com/v1 ServiceMonitor': (o) => new ServiceMonitor(o as never),
  'keda.sh/v1alpha1 ScaledObject': (o) => new ScaledObject(o as never),
  'karpenter.sh/v1 NodePool': (o) => new NodePool(o as never),
  'cloud.google.com/v1 BackendConfig': (o) => new BackendConfig(o as never),
};

describe.each(Object.keys(OVERLAYS) as OverlayName[])('custom resources in %s', (overlay) => {
  const crds = render(OVERLAYS[overlay]).filter((o) => !o.apiVersion.includes('k8s.io') && o.apiVersion.includes('.'));

  it('are all of a kind with a known schema', () => {
    expect(crds.map((o) => `${o.apiVersion} ${o.kind}`).filter((k) => !MODELS[k])).toEqual([]);
  });

  it.each(crds.map((o) => [`${o.kind}/${o.metadata.name}`, o] as const))('%s validates', (_name, obj) => {
    expect(() => MODELS[`${obj.apiVersion} ${obj.kind}`](obj).validate()).not.toThrow();
  });
});

describe('the validators are not vacuous', () => {
  it('rejects a ServiceMonitor with a numeric port and a NodePool without a node class', () => {
    expect(() => new ServiceMonitor({ metadata: { name: 'x' }, spec: { selector: {}, endpoints: [{ port: 80 as never }] } }).validate()).toThrow(/port/);
    expect(() => new NodePool({ metadata: { name: 'x' }, spec: { template: { spec: { requirements: [] } } } } as never).validate()).toThrow(/nodeClassRef/);
  });
});
