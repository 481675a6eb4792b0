/**
 * How much of whisper's 30 s encoder window a turn decode runs (audio_ctx, 50 frames a second).
 * A turn of a few seconds padded to 30 s costs the encoder 30 s; encoding only the turn is
 * several times cheaper. Shrunk naively it wrecks accuracy (tiny.en LibriSpeech WER 4.7 → 226
 * in futo-org/whisper-acft), so the window keeps a floor and a margin past the audio (the values
 * of the Engine 3 issue: about 10 s and 2 s), and a turn that fills the window keeps all of it.
 */
const FRAMES_PER_SECOND = 50;
const FULL = 1500;
export const WINDOW_FLOOR_SECONDS = 10;
export const WINDOW_MARGIN_SECONDS = 2;

/** Encoder frames for `samples` of 16 kHz audio; undefined: the full window. */
export function turnAudioCtx(samples: number, floorSeconds = WINDOW_FLOOR_SECONDS): number | undefined {
  const seconds = Math.max(samples / 16_000 + WINDOW_MARGIN_SECONDS, floorSeconds);
  const frames = Math.ceil(seconds * FRAMES_PER_SECOND);
  return frames >= FULL ? undefined : frames;
}
