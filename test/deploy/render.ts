/**
 * Renders the kustomize overlays with the real renderer (`kubectl kustomize`) and parses the
 * output with the `yaml` library. Rendering is what `kubectl apply -k` would send, so the tests
 * check exactly that, not the source files.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  /** Manifests are open-ended; each test narrows what it reads. */
  spec?: any;
  data?: Record<string, string>;
}

/** Directories, relative to the repo root, that `kubectl apply -k` is pointed at. */
export const OVERLAYS = {
  cpu: 'k8s/overlays/cpu',
  gke: 'k8s/overlays/gke',
  eks: 'k8s/overlays/eks',
  'cpu+keda': 'test/deploy/fixtures/cpu-keda',
  'gke+keda': 'test/deploy/fixtures/gke-keda',
} as const;
export type OverlayName = keyof typeof OVERLAYS;

const cache = new Map<string, K8sObject[]>();

export function render(dir: string): K8sObject[] {
  let objects = cache.get(dir);
  if (!objects) {
    const out = execFileSync('kubectl', ['kustomize', path.join(ROOT, dir)], { encoding: 'utf8' });
    objects = parseAllDocuments(out).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${dir}: ${doc.errors[0].message}`);
      return doc.toJS() as K8sObject;
    });
    cache.set(dir, objects);
  }
  return objects;
}

export function one(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const hits = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (hits.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${hits.length}`);
  return hits[0];
}
