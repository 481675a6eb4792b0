// Downloads rendered in the page from the one verbose_json reply, so a transcript is never
// computed twice. They follow the server's renderers (src/format/text.ts, timestamps.ts): hours
// always present, cue text trimmed, an arrow in the text defused. A browser test checks that the
// page's SRT equals the server's own response_format=srt for the same clip.
function stamp(seconds, sep) {
  const total = Math.max(0, Math.round(seconds * 1000));
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor(total / 60_000) % 60;
  const s = Math.floor(total / 1000) % 60;
  return `${pad(h)}:${pad(m)}:${pad(s)}${sep}${pad(total % 1000, 3)}`;
}

const cue = (text) => text.trim().replace(/-->/g, '->');

/** The four downloads: body, file extension and content type, from a verbose_json transcript. */
export const FORMATS = {
  srt: (t) => t.segments.map((s, i) => `${i + 1}\n${stamp(s.start, ',')} --> ${stamp(s.end, ',')}\n${cue(s.text)}\n\n`).join(''),
  vtt: (t) => `WEBVTT\n\n${t.segments.map((s) => `${stamp(s.start, '.')} --> ${stamp(s.end, '.')}\n${cue(s.text)}\n\n`).join('')}`,
  txt: (t) => `${t.text.trim()}\n`,
  json: (t) => `${JSON.stringify(t, null, 2)}\n`,
};
const TYPES = { srt: 'application/x-subrip', vtt: 'text/vtt', txt: 'text/plain', json: 'application/json' };

/** Saves the transcript as `<base>.<format>` through a temporary link. */
export function download(transcript, format, base) {
  const blob = new Blob([FORMATS[format](transcript)], { type: `${TYPES[format]};charset=utf-8` });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${base}.${format}`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
