import { FRAME_CENTRE, FRAME_HOP, LOCAL_SPEAKERS, type WindowActivity } from './segmentation.js';

/**
 * From overlapping windows of local speaker activity to one frame grid over
 * the whole input. Each global frame takes the window whose centre is
 * nearest (the model is least sure near a window's edges), and local
 * speakers are chained into tracks across windows where they agree on the
 * shared frames. A track is a stretch of one voice as segmentation sees it;
 * which tracks are the same person is left to the embeddings.
 */
export interface Piece {
  track: number;
  /** Global frames [first, last], both inclusive. */
  first: number;
  last: number;
  /** Frames of the piece where its track speaks alone. */
  clean: number[];
}

export interface FrameGrid {
  /** Per global frame: the tracks active there (0, 1 or 2 of them). */
  tracks: number[][];
  frames: number;
}

/** Frames two local speakers must share to be chained. */
const MIN_SHARED = 8;

export function buildGrid(windows: WindowActivity[], totalSamples: number): FrameGrid {
  const frames = Math.max(0, Math.floor((totalSamples - FRAME_CENTRE) / FRAME_HOP) + 1);
  const trackOf: number[][] = [];
  let next = 0;
  windows.forEach((w, i) => {
    const ids: number[] = [];
    const prev = i > 0 ? windows[i - 1] : undefined;
    // Pairs (previous local, this local) ranked by frames on which both are active.
    const pairs: { a: number; b: number; n: number }[] = [];
    if (prev) {
      const shift = (w.start - prev.start) / FRAME_HOP;
      for (let a = 0; a < LOCAL_SPEAKERS; a++) {
        for (let b = 0; b < LOCAL_SPEAKERS; b++) {
          let n = 0;
          for (let f = 0; f + shift < prev.frames && f < w.frames; f++) if (prev.active[f + shift] & (1 << a) && w.active[f] & (1 << b)) n++;
          pairs.push({ a, b, n });
        }
      }
      pairs.sort((x, y) => y.n - x.n);
    }
    const usedA = new Set<number>();
    for (const { a, b, n } of pairs) {
      if (n < MIN_SHARED || usedA.has(a) || ids[b] !== undefined) continue;
      ids[b] = trackOf[i - 1][a];
      usedA.add(a);
    }
    for (let b = 0; b < LOCAL_SPEAKERS; b++) if (ids[b] === undefined) ids[b] = next++;
    trackOf.push(ids);
  });

  const tracks: number[][] = Array.from({ length: frames }, () => []);
  let wi = 0;
  for (let g = 0; g < frames; g++) {
    // Windows are sorted by start: move on while the next window's centre is nearer.
    const centre = (w: WindowActivity) => w.start / FRAME_HOP + w.active.length / 2;
    while (wi + 1 < windows.length && Math.abs(centre(windows[wi + 1]) - g) < Math.abs(centre(windows[wi]) - g)) wi++;
    const w = windows[wi];
    const f = g - w.start / FRAME_HOP;
    if (f < 0 || f >= w.frames) continue;
    for (let k = 0; k < LOCAL_SPEAKERS; k++) if (w.active[f] & (1 << k)) tracks[g].push(trackOf[wi][k]);
  }
  return { tracks, frames };
}

/**
 * Runs of each track, bridging its silences up to `maxGap` frames: the
 * pieces that get one embedding each, and so one speaker label each.
 */
export function piecesOf(grid: FrameGrid, maxGap: number): Piece[] {
  const open = new Map<number, Piece>();
  const done: Piece[] = [];
  for (let g = 0; g < grid.frames; g++) {
    for (const [t, p] of open) {
      if (g - p.last > maxGap) {
        done.push(p);
        open.delete(t);
      }
    }
    const here = grid.tracks[g];
    for (const t of here) {
      let p = open.get(t);
      if (!p) {
        p = { track: t, first: g, last: g, clean: [] };
        open.set(t, p);
      }
      p.last = g;
      if (here.length === 1) p.clean.push(g);
    }
  }
  done.push(...open.values());
  return done.sort((a, b) => a.first - b.first);
}

/** The audio of a piece's clean frames, each frame contributing its own hop of samples. */
export function pieceAudio(pcm: Float32Array, p: Piece): Float32Array {
  const out = new Float32Array(p.clean.length * FRAME_HOP);
  let n = 0;
  for (const g of p.clean) {
    const s = g * FRAME_HOP + FRAME_CENTRE - FRAME_HOP / 2;
    const chunk = pcm.subarray(Math.max(0, s), Math.min(pcm.length, s + FRAME_HOP));
    out.set(chunk, n);
    n += chunk.length;
  }
  return out.subarray(0, n);
}

export const frameTime = (g: number) => (g * FRAME_HOP + FRAME_CENTRE) / 16000;
