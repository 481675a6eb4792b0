/**
 * Subtitle timestamps. SRT separates milliseconds with a comma, WebVTT with a dot; both always
 * carry hours, which every player accepts and which keeps cues of long files aligned.
 */
function parts(seconds: number): [string, string, string, string] {
  const totalMs = Math.max(0, Math.round(seconds * 1000));
  const ms = totalMs % 1000;
  const s = Math.floor(totalMs / 1000) % 60;
  const m = Math.floor(totalMs / 60_000) % 60;
  const h = Math.floor(totalMs / 3_600_000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return [pad(h), pad(m), pad(s), pad(ms, 3)];
}

export function srtTime(seconds: number): string {
  const [h, m, s, ms] = parts(seconds);
  return `${h}:${m}:${s},${ms}`;
}

export function vttTime(seconds: number): string {
  const [h, m, s, ms] = parts(seconds);
  return `${h}:${m}:${s}.${ms}`;
}

/** Cue text: trimmed, and without an arrow that would end the timing line early. */
export function cueText(text: string): string {
  return text.trim().replace(/-->/g, '->');
}
