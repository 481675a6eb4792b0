/**
 * Diarization without a model, for stereo files whose channels are different speakers (call
 * recordings: agent left, customer right). Each channel is transcribed on its own, so speech
 * that overlaps in time is still transcribed whole, and the segments are merged by time with
 * the channel as the speaker. This is right only when the channels really differ:
 * channelsAreDistinct measures it, and a mono file (two equal channels) or a stereo room
 * recording (both microphones hear everyone) is left to the model.
 */
import type { Segment, SpeakerSegment, Transcript } from '../engine/types.js';

const FRAME = 320; // 20 ms at 16 kHz
/** A frame is "one channel only" when the other is at least 20 dB quieter. */
const SOLO_RATIO = 10;
/**
 * Share of the active frames that must be one channel only. A call recording is mostly one
 * party at a time; two microphones in one room almost never are (measured on the test clips:
 * fw_stereo_diarization.wav 0.5, an upmixed mono file 0).
 */
const MIN_SOLO_SHARE = 0.2;
/** Sample correlation above which the channels are the same signal (a mono file upmixed). */
const MAX_CORRELATION = 0.9;

function rms(x: Float32Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i] * x[i];
  return Math.sqrt(sum / Math.max(1, to - from));
}

export interface ChannelStats {
  /** Share of active frames where one channel is ≥ 20 dB louder than the other. */
  soloShare: number;
  /** Pearson correlation of the two channels' samples. */
  correlation: number;
}

export function channelStats(left: Float32Array, right: Float32Array): ChannelStats {
  const n = Math.min(left.length, right.length);
  const frames: [number, number][] = [];
  let loudest = 0;
  for (let i = 0; i + FRAME <= n; i += FRAME) {
    const f: [number, number] = [rms(left, i, i + FRAME), rms(right, i, i + FRAME)];
    frames.push(f);
    loudest = Math.max(loudest, f[0], f[1]);
  }
  // Active: within 40 dB of the loudest frame, and not digital silence.
  const floor = Math.max(loudest / 100, 1e-4);
  const active = frames.filter(([l, r]) => Math.max(l, r) >= floor);
  const solo = active.filter(([l, r]) => Math.max(l, r) >= SOLO_RATIO * Math.min(l, r)).length;
  let sl = 0, sr = 0, sll = 0, srr = 0, slr = 0;
  for (let i = 0; i < n; i++) {
    sl += left[i]; sr += right[i]; sll += left[i] * left[i]; srr += right[i] * right[i]; slr += left[i] * right[i];
  }
  const cov = slr - (sl * sr) / n;
  const den = Math.sqrt((sll - (sl * sl) / n) * (srr - (sr * sr) / n));
  return { soloShare: active.length ? solo / active.length : 0, correlation: den > 0 ? cov / den : 1 };
}

export function channelsAreDistinct(left: Float32Array, right: Float32Array): boolean {
  const s = channelStats(left, right);
  return s.soloShare >= MIN_SOLO_SHARE && s.correlation < MAX_CORRELATION;
}

/**
 * Merges one transcript per channel into one: segments in time order, renumbered, each
 * speaker segment labelled by its channel, `A`, `B` in order of first speech.
 */
export function mergeChannelTranscripts(perChannel: readonly Transcript[]): Transcript {
  const tagged = perChannel
    .flatMap((t, channel) => t.segments.map((segment) => ({ segment, channel })))
    .filter(({ segment }) => segment.text.trim() !== '')
    .sort((a, b) => a.segment.start - b.segment.start || a.channel - b.channel);
  const labels = new Map<number, string>();
  const label = (channel: number) => {
    if (!labels.has(channel)) labels.set(channel, String.fromCharCode(65 + labels.size));
    return labels.get(channel)!;
  };
  const segments: Segment[] = tagged.map(({ segment }, id) => ({ ...segment, id }));
  const speakers: SpeakerSegment[] = tagged.map(({ segment, channel }) => ({
    start: segment.start,
    end: segment.end,
    speaker: label(channel),
    text: segment.text.trim(),
  }));
  const first = perChannel.find((t) => t.text.trim()) ?? perChannel[0];
  return {
    task: 'transcribe',
    language: first.language,
    duration: Math.max(...perChannel.map((t) => t.duration)),
    // The speaker segments' texts, as a diarized answer's deltas spell it.
    text: speakers.map((s) => s.text).join(' '),
    segments,
    speakers,
  };
}
