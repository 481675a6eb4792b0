// The File tab: a dropped, chosen or recorded file goes to /v1/audio/transcriptions (or
// translations) as verbose_json, synchronously, or as an async job (`Prefer: respond-async`)
// when it is long. The reply fills the transcript view; the downloads are rendered from it.
import { api, clock } from './api.js';
import { submitJob, watchJob } from './jobs.js';
import { download } from './subtitles.js';
import { bindTranscript, showTranscript } from './transcript.js';

/** Files longer than this go as async jobs unless the user unticks the box. */
const JOB_SECONDS = 60;
const $ = (id) => document.getElementById(id);

let file;
let audioUrl;
let transcript;
let baseName = 'transcript';

const fileStatus = (text, isError = false) => {
  $('file-status').textContent = text;
  $('file-status').className = isError ? 'error' : 'muted';
};

/** The audio's length as the browser reads it (undefined for what it cannot play). */
function probeDuration(url) {
  return new Promise((resolve) => {
    const a = new Audio();
    a.preload = 'metadata';
    a.onloadedmetadata = () => resolve(Number.isFinite(a.duration) ? a.duration : undefined);
    a.onerror = () => resolve(undefined);
    a.src = url;
  });
}

async function choose(f) {
  if (!f) return;
  file = f;
  if (audioUrl) URL.revokeObjectURL(audioUrl);
  audioUrl = URL.createObjectURL(f);
  baseName = f.name.replace(/\.[^.]+$/, '') || 'transcript';
  const kb = Math.round(f.size / 1024);
  $('file-info').textContent = `${f.name} · ${kb >= 1024 ? `${(kb / 1024).toFixed(1)} MB` : `${kb} KB`}`;
  fileStatus('');
  // Go waits for the length, which decides between a request and a job.
  $('go').disabled = true;
  delete document.body.dataset.fileSeconds;
  const seconds = await probeDuration(audioUrl);
  if (f !== file) return;
  if (seconds !== undefined) $('file-info').textContent += ` · ${clock(seconds)}`;
  document.body.dataset.fileSeconds = String(seconds ?? '');
  // A recording's WebM carries no duration: its size decides.
  $('as-job').checked = seconds === undefined ? f.size > 20 * 1024 * 1024 : seconds > JOB_SECONDS;
  $('go').disabled = false;
}

function form() {
  const translate = $('task-translate').checked;
  const fd = new FormData();
  fd.append('file', file, file.name);
  fd.append('model', $('model').value);
  fd.append('response_format', 'verbose_json');
  if (!translate) {
    if ($('language').value) fd.append('language', $('language').value);
    fd.append('timestamp_granularities[]', 'segment');
    if ($('words').checked) fd.append('timestamp_granularities[]', 'word');
  }
  return { fd, path: translate ? '/v1/audio/translations' : '/v1/audio/transcriptions' };
}

/** Shows a verbose_json transcript; `audio` is the object URL of its file when the page has it. */
export function showResult(t, name, audio) {
  transcript = t;
  baseName = name;
  $('result').hidden = false;
  const player = $('player');
  if (audio) player.src = audio;
  else player.removeAttribute('src');
  player.hidden = !audio;
  const segs = t.segments?.length ?? 0;
  $('result-meta').textContent = `${name} · ${t.task ?? 'transcribe'} · ${t.language ?? ''} · ${clock(t.duration ?? 0)} · ${segs} segment${segs === 1 ? '' : 's'}${t.words ? ` · ${t.words.length} words` : ''}`;
  showTranscript($('segments'), player, t);
}

async function submit(e) {
  e.preventDefault();
  if (!file) return;
  const { fd, path } = form();
  $('go').disabled = true;
  $('result').hidden = true;
  $('progress-row').hidden = true;
  const started = performance.now();
  try {
    if ($('as-job').checked) {
      fd.append('metadata[filename]', file.name.slice(0, 512));
      fileStatus('Uploading…');
      const job = await submitJob(path, fd);
      fileStatus(`Job ${job.id} queued.`);
      const name = baseName;
      const url = audioUrl;
      await watchJob(job, (t) => showResult(t, name, url), fileStatus, url);
    } else {
      fileStatus('Transcribing…');
      const t = await api(path, { method: 'POST', body: fd });
      fileStatus(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
      showResult(t, baseName, audioUrl);
    }
  } catch (err) {
    fileStatus(err.message, true);
  } finally {
    $('go').disabled = !file;
    // The status panel's queue and busy slots have changed: say so now, not at its next tick.
    document.dispatchEvent(new Event('work-done'));
  }
}

let recorder;
async function toggleRecording() {
  const button = $('record');
  if (recorder?.state === 'recording') {
    recorder.stop();
    return;
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (err) {
    fileStatus(`No microphone: ${err.message}`, true);
    return;
  }
  const chunks = [];
  recorder = new MediaRecorder(stream);
  recorder.ondataavailable = (ev) => chunks.push(ev.data);
  recorder.onstop = () => {
    stream.getTracks().forEach((t) => t.stop());
    button.textContent = 'Record from the microphone';
    button.classList.remove('recording');
    const type = recorder.mimeType || 'audio/webm';
    const ext = type.includes('mp4') ? 'm4a' : type.includes('ogg') ? 'ogg' : 'webm';
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    void choose(new File(chunks, `recording-${stamp}.${ext}`, { type }));
  };
  recorder.start();
  button.textContent = 'Stop recording';
  button.classList.add('recording');
  $('file-info').textContent = 'Recording… press "Stop recording" when done.';
}

export function initFiles() {
  const drop = $('drop');
  $('file').addEventListener('change', () => choose($('file').files[0]));
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    void choose(e.dataTransfer.files[0]);
  });
  // A file dropped beside the zone must not replace the page with the file.
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => e.preventDefault());
  $('record').addEventListener('click', toggleRecording);
  $('file-form').addEventListener('submit', submit);
  const syncTask = () => {
    const translate = $('task-translate').checked;
    $('language').disabled = $('words').disabled = translate;
  };
  for (const r of document.querySelectorAll('input[name=task]')) r.addEventListener('change', syncTask);
  for (const b of document.querySelectorAll('.downloads button')) {
    b.addEventListener('click', () => transcript && download(transcript, b.dataset.format, baseName));
  }
  bindTranscript($('segments'), $('player'));
}
