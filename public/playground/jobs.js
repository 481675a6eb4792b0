// Async jobs: submit with `Prefer: respond-async`, follow one job's progress on the progress bar,
// and list the caller's recent jobs (GET /v1/audio/jobs) with their results one click away.
import { api, clock, notify } from './api.js';

const $ = (id) => document.getElementById(id);
const ACTIVE = new Set(['queued', 'processing']);
/** Object URLs of files submitted from this page, so a finished job's audio can still play. */
const audioOf = new Map();
let onOpen = () => {};
let listTimer;

export async function submitJob(path, fd) {
  const job = await api(path, { method: 'POST', body: fd, headers: { prefer: 'respond-async' } });
  void refreshJobs();
  return job;
}

/** A job's result as a verbose_json-like object, whatever format it was submitted in. */
async function resultOf(job) {
  const body = await api(`/v1/audio/jobs/${job.id}/result`, { as: 'text' });
  if (job.response_format === 'verbose_json') return JSON.parse(body);
  const text = job.response_format === 'json' ? JSON.parse(body).text : body;
  return { task: job.task, text, segments: [], duration: job.audio_seconds ?? 0 };
}

function setProgress(job) {
  $('progress-row').hidden = false;
  $('progress').value = job.progress;
  $('progress-text').textContent = `${Math.round(job.progress * 100)} % · ${job.status}`;
}

/** Polls the job until it ends; shows progress, then hands the result to onResult. */
export async function watchJob(job, onResult, status, audioUrl) {
  if (audioUrl) audioOf.set(job.id, audioUrl);
  setProgress(job);
  while (ACTIVE.has(job.status)) {
    await new Promise((r) => setTimeout(r, 700));
    job = await api(`/v1/audio/jobs/${job.id}`);
    setProgress(job);
    status(job.status === 'processing' ? `Job ${job.id}: transcribing…` : `Job ${job.id}: waiting for a slot…`);
  }
  void refreshJobs();
  if (job.status !== 'completed') throw new Error(`Job ${job.id} ${job.status}${job.error ? `: ${job.error.message}` : ''}.`);
  onResult(await resultOf(job));
  status(`Job ${job.id} completed.`);
}

function jobItem(job) {
  const li = document.createElement('li');
  li.dataset.job = job.id;
  li.dataset.status = job.status;
  const name = document.createElement('div');
  name.className = 'name';
  name.textContent = job.metadata?.filename ?? job.id;
  const meta = document.createElement('div');
  meta.className = 'muted';
  const when = new Date(job.created_at * 1000).toLocaleTimeString();
  meta.textContent = `${job.status} · ${when}${job.audio_seconds ? ` · ${clock(job.audio_seconds, 0)}` : ''}`;
  li.append(name, meta);
  if (ACTIVE.has(job.status)) {
    const bar = document.createElement('progress');
    bar.max = 1;
    bar.value = job.progress;
    bar.setAttribute('aria-label', `Progress of ${name.textContent}`);
    li.append(bar);
  }
  const button = (label, action) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.setAttribute('aria-label', `${label} ${name.textContent}`);
    b.addEventListener('click', () => action().catch((err) => notify(err.message)));
    li.append(b);
  };
  if (job.status === 'completed') {
    button('Show', async () => onOpen(await resultOf(job), (job.metadata?.filename ?? job.id).replace(/\.[^.]+$/, ''), audioOf.get(job.id)));
  }
  if (ACTIVE.has(job.status)) button('Cancel', async () => { await api(`/v1/audio/jobs/${job.id}/cancel`, { method: 'POST' }); await refreshJobs(); });
  return li;
}

export async function refreshJobs() {
  clearTimeout(listTimer);
  let page;
  try {
    page = await api('/v1/audio/jobs?limit=8');
  } catch (err) {
    $('jobs').replaceChildren(Object.assign(document.createElement('li'), { className: 'muted', textContent: err.isAuth ? 'Needs the API key.' : err.message }));
    return;
  }
  const items = page.data.map(jobItem);
  $('jobs').replaceChildren(...(items.length ? items : [Object.assign(document.createElement('li'), { className: 'muted', textContent: 'None yet.' })]));
  // Follow running jobs while the page is open; stop once nothing moves.
  if (page.data.some((j) => ACTIVE.has(j.status))) listTimer = setTimeout(refreshJobs, 2000);
}

/** `open(transcript, name, audioUrl)` shows a finished job's result. */
export function initJobs(open) {
  onOpen = open;
}
