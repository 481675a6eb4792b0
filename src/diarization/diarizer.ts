import { absorbSmall, agglomerate, type Cluster } from './cluster.js';
import { type Ge2eEmbedder, cosine } from './embedder.js';
import { DEFAULT_MAX_STEP, FRAME_HOP, type Segmenter } from './segmentation.js';
import { type Piece, buildGrid, frameTime, pieceAudio, piecesOf } from './tracks.js';
import type { DiarizeOptions, Diarizer, SpeakerTurn } from './types.js';

/**
 * Segmentation → pieces of one voice → one GE2E embedding per piece →
 * agglomerative clustering → known speakers by similarity → turns.
 * Thresholds were chosen by measurement (bench/diarization.ts, BENCHMARKS.md).
 */
export interface DiarizerTuning {
  /** Centroid cosine similarity at or above which two clusters are one speaker. */
  clusterThreshold: number;
  /** Similarity at or above which a cluster takes a known speaker's name. */
  knownThreshold: number;
  /** Pieces with at least this much clean speech (s) are clustered. */
  minEmbedSeconds: number;
  /** Shorter pieces with at least this much (s) join the most similar cluster; the rest take a neighbour's label. */
  minAssignSeconds: number;
  /** A cluster with less speech than this (s) is folded into its nearest neighbour. */
  minSpeakerSeconds: number;
  /** Silences within one track up to this long (s) stay in one piece. */
  bridgeSeconds: number;
  /** Same-speaker turns closer than this (s) are joined. */
  joinSeconds: number;
  /** The longest hop between segmentation windows in samples (a multiple of FRAME_HOP); windows are spread evenly. */
  maxStep: number;
}

export const DEFAULT_TUNING: DiarizerTuning = {
  clusterThreshold: 0.75,
  knownThreshold: 0.65,
  minEmbedSeconds: 0.6,
  minAssignSeconds: 0.25,
  minSpeakerSeconds: 1.5,
  bridgeSeconds: 0.5,
  joinSeconds: 1.0,
  maxStep: DEFAULT_MAX_STEP,
};

export interface DiarizerDeps {
  segmenter: Segmenter;
  embedder: Ge2eEmbedder;
  tuning?: Partial<DiarizerTuning>;
}

const SECONDS_PER_FRAME = FRAME_HOP / 16000;

export function createDiarizer(deps: DiarizerDeps): Diarizer {
  const tune = { ...DEFAULT_TUNING, ...deps.tuning };
  return {
    async diarize(pcm: Float32Array, opts: DiarizeOptions = {}): Promise<SpeakerTurn[]> {
      const { signal } = opts;
      signal?.throwIfAborted();
      const windows = await deps.segmenter.run(pcm, { maxStep: tune.maxStep, signal });
      const grid = buildGrid(windows, pcm.length);
      const pieces = piecesOf(grid, Math.round(tune.bridgeSeconds / SECONDS_PER_FRAME));
      const secs = (p: Piece) => p.clean.length * SECONDS_PER_FRAME;
      let embedded = pieces.filter((p) => secs(p) >= tune.minEmbedSeconds);
      let short = pieces.filter((p) => secs(p) < tune.minEmbedSeconds && secs(p) >= tune.minAssignSeconds);
      // Only short pieces (a short clip): cluster those rather than answer with no speaker at all.
      if (embedded.length === 0) [embedded, short] = [short, []];
      signal?.throwIfAborted();
      const known = opts.knownSpeakers ?? [];
      const audio = [...embedded, ...short].map((p) => pieceAudio(pcm, p));
      const embeddings = await deps.embedder.embed([...audio, ...known.map((k) => k.pcm)], signal);
      signal?.throwIfAborted();
      const pieceEmb = embeddings.slice(0, embedded.length);
      const shortEmb = embeddings.slice(embedded.length, audio.length);
      const knownEmb = embeddings.slice(audio.length);

      let clusters = agglomerate(
        pieceEmb.map((embedding, i) => ({ embedding, weight: secs(embedded[i]) })),
        tune.clusterThreshold,
      );
      clusters = absorbSmall(clusters, tune.minSpeakerSeconds);
      const labelOf = new Map<Piece, number>();
      clusters.forEach((c, ci) => c.members.forEach((m) => labelOf.set(embedded[m], ci)));
      short.forEach((p, i) => {
        let best = 0;
        for (let ci = 1; ci < clusters.length; ci++) if (cosine(shortEmb[i], clusters[ci].centroid) > cosine(shortEmb[i], clusters[best].centroid)) best = ci;
        labelOf.set(p, best);
      });
      // Speech too short for any embedding (a few frames): one anonymous speaker.
      if (clusters.length === 0) for (const p of pieces) labelOf.set(p, 0);
      labelUnembedded(pieces, labelOf, Math.round(tune.bridgeSeconds / SECONDS_PER_FRAME));
      const names = nameClusters(clusters, knownEmb, known.map((k) => k.name), tune.knownThreshold);
      return toTurns(grid.tracks, pieces, labelOf, tune.joinSeconds).map(({ start, end, cluster }) => ({ start, end, speaker: names(cluster) }));
    },
  };
}

/** A piece too short to embed takes the label of its track's piece next to it, else of the nearest piece in time. */
function labelUnembedded(pieces: Piece[], labelOf: Map<Piece, number>, near: number): void {
  const labelled = pieces.filter((p) => labelOf.has(p));
  if (labelled.length === 0) return;
  const gap = (a: Piece, b: Piece) => Math.max(0, a.first - b.last, b.first - a.last);
  for (const p of pieces) {
    if (labelOf.has(p)) continue;
    const same = labelled.filter((q) => q.track === p.track && gap(p, q) <= near);
    const pool = same.length > 0 ? same : labelled;
    let best = pool[0];
    for (const q of pool) if (gap(p, q) < gap(p, best)) best = q;
    labelOf.set(p, labelOf.get(best)!);
  }
}

/**
 * Known speakers claim the clusters most like their reference, best match
 * first, each cluster at most once; a name may cover several clusters (one
 * voice split in two). Other clusters get A, B, … in order of first speech
 * (done by the caller's order of calls).
 */
function nameClusters(clusters: Cluster[], refs: Float32Array[], names: string[], threshold: number): (cluster: number) => string {
  const named = new Map<number, string>();
  clusters.forEach((c, ci) => {
    let best = -1;
    let bestSim = threshold;
    refs.forEach((r, ri) => {
      const s = cosine(c.centroid, r);
      if (s >= bestSim) [best, bestSim] = [ri, s];
    });
    if (best >= 0) named.set(ci, names[best]);
  });
  const anon = new Map<number, string>();
  const used = new Set(names);
  let n = 0;
  const letter = () => {
    for (;;) {
      const l = alphaLabel(n++);
      if (!used.has(l)) return l;
    }
  };
  return (ci) => {
    const name = named.get(ci);
    if (name) return name;
    if (!anon.has(ci)) anon.set(ci, letter());
    return anon.get(ci)!;
  };
}

/** A, B, …, Z, AA, AB, … */
export function alphaLabel(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** One label per frame (where two overlap, the one already speaking keeps the floor), then runs → turns. */
function toTurns(tracks: number[][], pieces: Piece[], labelOf: Map<Piece, number>, joinSeconds: number): { start: number; end: number; cluster: number }[] {
  const byTrack = new Map<number, Piece[]>();
  for (const p of pieces) {
    const list = byTrack.get(p.track);
    if (list) list.push(p);
    else byTrack.set(p.track, [p]);
  }
  const clusterAt = (g: number, t: number) => {
    const p = byTrack.get(t)?.find((q) => q.first <= g && g <= q.last);
    return p ? labelOf.get(p) : undefined;
  };
  const turns: { start: number; end: number; cluster: number }[] = [];
  let prev: number | undefined;
  for (let g = 0; g < tracks.length; g++) {
    const candidates = tracks[g].map((t) => clusterAt(g, t)).filter((c): c is number => c !== undefined);
    if (candidates.length === 0) continue;
    const c = prev !== undefined && candidates.includes(prev) ? prev : candidates[0];
    const start = frameTime(g) - SECONDS_PER_FRAME / 2;
    const end = start + SECONDS_PER_FRAME;
    const last = turns[turns.length - 1];
    if (last && last.cluster === c && start - last.end <= joinSeconds) last.end = end;
    else if (last && start < last.end) turns.push({ start: last.end, end, cluster: c });
    else turns.push({ start, end, cluster: c });
    prev = c;
  }
  return turns.map((t) => ({ ...t, start: round3(Math.max(0, t.start)), end: round3(t.end) }));
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
