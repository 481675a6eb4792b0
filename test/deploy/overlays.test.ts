/**
 * What each overlay is for: GPU requests and placement on GKE and EKS, none on cpu; the image
 * that matches; ingress settings that let 25 MiB uploads and long transcriptions through.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { OVERLAYS, one, render, type OverlayName } from './render.js';

function parts(overlay: OverlayName) {
  const objects = render(OVERLAYS[overlay]);
  const deploy = one(objects, 'Deployment');
  const pod = deploy.spec.template.spec;
  const server = pod.containers.find((c: { name: string }) => c.name === 'server');
  const config = loadConfig(one(objects, 'ConfigMap').data ?? {}, 2);
  return { objects, pod, server, config, ingress: one(objects, 'Ingress') };
}

describe.each(['gke', 'eks'] as const)('GPU overlay %s', (overlay) => {
  it('requests one NVIDIA GPU, runs the CUDA image and loads models on the GPU', () => {
    const { pod, server, config } = parts(overlay);
    expect(server.resources.requests['nvidia.com/gpu']).toBe(1);
    expect(server.resources.limits['nvidia.com/gpu']).toBe(1);
    expect(config.USE_GPU).toBe(true);
    for (const c of [...pod.initContainers, ...pod.containers]) expect(c.image).toMatch(/:[\w.-]+-cuda$/);
  });
});

describe('gke', () => {
  it('selects L4/T4 nodes and uses the GKE Ingress with a long backend timeout', () => {
    const { objects, pod, ingress } = parts('gke');
    expect(['nvidia-l4', 'nvidia-tesla-t4']).toContain(pod.nodeSelector['cloud.google.com/gke-accelerator']);
    expect(ingress.metadata.annotations?.['kubernetes.io/ingress.class']).toBe('gce');
    expect(ingress.spec.ingressClassName).toBeUndefined();
    const svc = one(objects, 'Service');
    const backend = JSON.parse(svc.metadata.annotations!['cloud.google.com/backend-config']);
    const bc = one(objects, 'BackendConfig', backend.default);
    expect(bc.spec.timeoutSec).toBeGreaterThanOrEqual(600);
    expect(bc.spec.healthCheck.requestPath).toBe('/ready');
  });
});

describe('eks', () => {
  it('tolerates the GPU taint and lands on a Karpenter g5/g6 NodePool', () => {
    const { objects, pod } = parts('eks');
    expect(pod.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    const pool = one(objects, 'NodePool', pod.nodeSelector['karpenter.sh/nodepool']);
    expect(pool.apiVersion).toBe('karpenter.sh/v1');
    expect(pool.metadata.namespace).toBeUndefined();
    const family = pool.spec.template.spec.requirements.find((r: { key: string }) => r.key === 'karpenter.k8s.aws/instance-family');
    expect(family.values).toEqual(['g5', 'g6']);
    expect(pool.spec.template.spec.taints).toContainEqual({ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' });
  });

  it('uses an ALB whose idle timeout outlasts a transcription and checks /ready', () => {
    const { ingress } = parts('eks');
    const a = ingress.metadata.annotations!;
    expect(ingress.spec.ingressClassName).toBe('alb');
    expect(a['alb.ingress.kubernetes.io/healthcheck-path']).toBe('/ready');
    expect(a['alb.ingress.kubernetes.io/load-balancer-attributes']).toBe('idle_timeout.timeout_seconds=600');
    expect(Object.keys(a).filter((k) => k.startsWith('nginx.'))).toEqual([]);
  });
});

describe('cpu', () => {
  it('asks for no GPU and uses ingress-nginx with a 25 MiB body limit and long timeouts', () => {
    const { pod, server, config, ingress } = parts('cpu');
    expect(JSON.stringify(pod)).not.toContain('nvidia.com/gpu');
    expect(config.USE_GPU).toBe(false);
    expect(server.image).not.toMatch(/-cuda$/);
    const a = ingress.metadata.annotations!;
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(a['nginx.ingress.kubernetes.io/proxy-body-size']).toBe('25m');
    expect(25 * 1024 * 1024).toBe(config.MAX_UPLOAD_BYTES);
    expect(Number(a['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(600);
  });

  it('keeps /metrics, /health and /ready off the Ingress', () => {
    const { ingress } = parts('cpu');
    const paths = ingress.spec.rules.flatMap((r: { http: { paths: Array<{ path: string }> } }) => r.http.paths.map((p) => p.path));
    expect(paths.sort()).toEqual(['/v1', '/whisper']);
  });
});

describe.each(Object.keys(OVERLAYS) as OverlayName[])('PDB in %s', (overlay) => {
  it('covers the server pods and allows one voluntary disruption at a time', () => {
    const { objects } = parts(overlay);
    const pdb = one(objects, 'PodDisruptionBudget');
    const labels = one(objects, 'Deployment').spec.template.metadata.labels;
    for (const [k, v] of Object.entries(pdb.spec.selector.matchLabels)) expect(labels[k]).toBe(v);
    expect(pdb.spec.maxUnavailable).toBe(1);
  });
});
