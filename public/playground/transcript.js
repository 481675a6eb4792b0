// The transcript view: one row per segment with its start time, its words (with their own
// times when word timestamps were asked for). Playing highlights the current segment and word;
// clicking a time or any text seeks the audio there.
import { clock } from './api.js';

let player;
let rows = [];
let words = [];

/** Splits the top-level `words` list of verbose_json over the segments by time. */
function wordsBySegment(segments, allWords) {
  const out = segments.map(() => []);
  let i = 0;
  for (const w of allWords ?? []) {
    while (i < segments.length - 1 && w.start >= segments[i].end) i++;
    out[i]?.push(w);
  }
  return out;
}

function wordSpan(w) {
  const span = document.createElement('span');
  span.className = 'w';
  span.textContent = w.word.trim();
  span.dataset.start = String(w.start);
  span.dataset.end = String(w.end);
  span.title = `${clock(w.start, 2)} – ${clock(w.end, 2)}`;
  return span;
}

/** Renders a verbose_json transcript into `list`, tied to the `<audio>` element. */
export function showTranscript(list, audio, t) {
  player = audio;
  list.replaceChildren();
  const perSegment = wordsBySegment(t.segments ?? [], t.words);
  rows = (t.segments ?? []).map((s, i) => {
    const li = document.createElement('li');
    li.dataset.start = String(s.start);
    li.dataset.end = String(s.end);
    const ts = document.createElement('button');
    ts.type = 'button';
    ts.className = 'ts';
    ts.dataset.start = String(s.start);
    ts.textContent = clock(s.start);
    ts.setAttribute('aria-label', `Play from ${clock(s.start)} to ${clock(s.end)}`);
    const text = document.createElement('span');
    text.className = 'text';
    text.dataset.start = String(s.start);
    if (perSegment[i].length) {
      perSegment[i].forEach((w, k) => text.append(...(k ? [' '] : []), wordSpan(w)));
    } else {
      text.textContent = s.text.trim();
    }
    li.append(ts, text);
    return li;
  });
  list.append(...rows);
  words = [...list.querySelectorAll('.w')];
}

function seek(e) {
  const target = e.target.closest('[data-start]');
  if (!target || !player?.src) return;
  player.currentTime = Number(target.dataset.start);
  player.play().catch(() => {});
}

/** Scrolls the list (never the page) so the playing row stays in view. */
function follow(li) {
  const list = li.parentElement;
  if (li.offsetTop < list.scrollTop || li.offsetTop + li.offsetHeight > list.scrollTop + list.clientHeight) {
    list.scrollTop = li.offsetTop - list.clientHeight / 3;
  }
}

function highlight() {
  const t = player.currentTime;
  const inside = (el) => t >= Number(el.dataset.start) && t < Number(el.dataset.end);
  for (const li of rows) {
    const now = inside(li);
    if (now && !li.classList.contains('current')) follow(li);
    li.classList.toggle('current', now);
    if (now) li.setAttribute('aria-current', 'true');
    else li.removeAttribute('aria-current');
  }
  for (const w of words) w.classList.toggle('now', inside(w));
}

export function bindTranscript(list, audio) {
  player = audio;
  list.addEventListener('click', seek);
  audio.addEventListener('timeupdate', highlight);
  audio.addEventListener('seeked', highlight);
}
