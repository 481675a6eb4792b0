import type { SpeakerTurn } from './types.js';

/**
 * Time-weighted speaker accuracy: the share of the reference's speech time
 * (less a collar around each reference boundary, as DER scoring does) at which
 * the hypothesis names the right speaker, under the one-to-one mapping of
 * hypothesis labels to reference labels that scores best. Time the hypothesis
 * leaves unlabelled counts as wrong; so does a second label for one speaker.
 */
export interface SpeakerScore {
  accuracy: number;
  /** Reference speech time scored (s). */
  scored: number;
  /** hypothesis label → reference label. */
  mapping: Map<string, string>;
  refSpeakers: number;
  hypSpeakers: number;
}

const STEP = 0.01;

const labelAt = (turns: SpeakerTurn[], t: number) => turns.find((x) => x.start <= t && t < x.end)?.speaker;

export function speakerAccuracy(ref: SpeakerTurn[], hyp: SpeakerTurn[], collar = 0.25): SpeakerScore {
  const overlap = new Map<string, Map<string, number>>();
  let scored = 0;
  for (const r of ref) {
    for (let t = r.start + collar + STEP / 2; t < r.end - collar; t += STEP) {
      scored += STEP;
      const h = labelAt(hyp, t);
      if (h === undefined) continue;
      const row = overlap.get(h) ?? new Map<string, number>();
      row.set(r.speaker, (row.get(r.speaker) ?? 0) + STEP);
      overlap.set(h, row);
    }
  }
  const hypLabels = [...new Set(hyp.map((t) => t.speaker))];
  const refLabels = [...new Set(ref.map((t) => t.speaker))];
  const { total, mapping } = bestMapping(hypLabels, refLabels, (h, r) => overlap.get(h)?.get(r) ?? 0);
  return { accuracy: scored > 0 ? total / scored : 0, scored, mapping, refSpeakers: refLabels.length, hypSpeakers: hypLabels.length };
}

/** One-to-one assignment, exhaustive for up to 8 hypothesis labels, each hypothesis label to a distinct reference label or none. */
function bestMapping(hyp: string[], ref: string[], gain: (h: string, r: string) => number): { total: number; mapping: Map<string, string> } {
  let best = { total: -1, mapping: new Map<string, string>() };
  const assign = (i: number, used: Set<string>, acc: number, chosen: [string, string][]) => {
    if (i === hyp.length) {
      if (acc > best.total) best = { total: acc, mapping: new Map(chosen) };
      return;
    }
    assign(i + 1, used, acc, chosen);
    for (const r of ref) {
      if (used.has(r)) continue;
      used.add(r);
      assign(i + 1, used, acc + gain(hyp[i], r), [...chosen, [hyp[i], r]]);
      used.delete(r);
    }
  };
  if (hyp.length <= 8) {
    assign(0, new Set(), 0, []);
    return best;
  }
  // Too many for an exhaustive search: greedy, largest overlap first (a lower bound of the best).
  const pairs = hyp.flatMap((h) => ref.map((r) => ({ h, r, g: gain(h, r) }))).sort((a, b) => b.g - a.g);
  const mapping = new Map<string, string>();
  const used = new Set<string>();
  let total = 0;
  for (const { h, r, g } of pairs) {
    if (mapping.has(h) || used.has(r) || g <= 0) continue;
    mapping.set(h, r);
    used.add(r);
    total += g;
  }
  return { total, mapping };
}
