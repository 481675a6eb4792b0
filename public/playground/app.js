// The playground's entry: the API key (typed once, kept in sessionStorage for this tab), the
// tabs, the model and language lists, and the server status panel.
import { api, getKey, notify, setKey } from './api.js';
import { initFiles, showResult } from './files.js';
import { initJobs, refreshJobs } from './jobs.js';
import LANGUAGES from './languages.js';
import { initLive } from './live.js';

const $ = (id) => document.getElementById(id);

function initTabs() {
  const tabs = [...document.querySelectorAll('[role=tab]')];
  const select = (tab, focus = false) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute('aria-controls')).hidden = !on;
    }
    if (focus) tab.focus();
    history.replaceState(null, '', tab.id === 'tab-live' ? '#live' : location.pathname);
  };
  for (const [i, tab] of tabs.entries()) {
    tab.addEventListener('click', () => select(tab));
    // The ARIA tabs pattern: arrow keys move between tabs, Home and End jump.
    tab.addEventListener('keydown', (e) => {
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
      if (next === undefined) return;
      e.preventDefault();
      select(tabs[(next + tabs.length) % tabs.length], true);
    });
  }
  if (location.hash === '#live') select($('tab-live'));
}

function fill(selectEl, options, keep) {
  const previous = keep ? selectEl.value : undefined;
  selectEl.replaceChildren(...options.map(([value, label]) => new Option(label, value)));
  if (previous && options.some(([v]) => v === previous)) selectEl.value = previous;
}

function initLanguages() {
  const names = new Intl.DisplayNames(['en'], { type: 'language' });
  const label = (code, fallback) => { try { return names.of(code) ?? fallback; } catch { return fallback; } };
  const options = Object.entries(LANGUAGES).map(([code, name]) => [code, `${label(code, name)} (${code})`]);
  options.sort((a, b) => a[1].localeCompare(b[1]));
  fill($('language'), [['', 'Detect automatically'], ...options]);
}

/** Models from /v1/models; the status names which are English-only, to turn translation off for them. */
let english = new Set();
async function loadModels() {
  const list = await api('/v1/models');
  const ids = list.data.map((m) => m.id).sort((a, b) => (a === 'whisper-1' ? -1 : b === 'whisper-1' ? 1 : a.localeCompare(b)));
  for (const id of ['model', 'live-model']) fill($(id), ids.map((m) => [m, m]), true);
}

function syncModel() {
  const englishOnly = english.has($('model').value) || /\.en($|[-_.])/.test($('model').value);
  $('task-translate').disabled = englishOnly;
  $('task-translate').title = englishOnly ? 'English-only model: pick a multilingual one to translate' : '';
  if (englishOnly && $('task-translate').checked) {
    document.querySelector('input[name=task][value=transcribe]').click();
  }
}

let statusTimer;
async function loadStatus() {
  clearTimeout(statusTimer);
  const dl = $('status');
  const rows = [];
  try {
    const s = await api('/v1/status');
    english = new Set(s.models.filter((m) => !m.multilingual).map((m) => m.id));
    const loaded = s.models.filter((m) => m.loaded).map((m) => `${m.id} (${m.in_flight}/${m.concurrency} busy)`);
    rows.push(
      ['State', s.draining ? 'draining' : s.ready ? 'ready' : 'loading the default model…'],
      ['Default model', s.default_model],
      ['Loaded', loaded.join(', ') || 'none yet'],
      ['On disk', s.models.map((m) => m.id).join(', ')],
      ['Queue', `${s.queue_depth} waiting`],
      ['Jobs', `${s.jobs.queued} queued, ${s.jobs.processing} running`],
      ['VAD', s.vad ? 'yes (Silero)' : 'no: server VAD and chunking are off'],
      ['Live sessions', String(s.realtime_sessions)],
    );
    dl.dataset.ready = String(s.ready);
    statusTimer = setTimeout(loadStatus, document.hidden ? 30_000 : 5000);
  } catch (err) {
    rows.push(['State', err.isAuth ? 'needs the API key' : err.message]);
  }
  dl.replaceChildren(...rows.flatMap(([k, v]) => [Object.assign(document.createElement('dt'), { textContent: k }), Object.assign(document.createElement('dd'), { textContent: v })]));
  syncModel();
}

async function connect() {
  const key = getKey();
  notify('');
  $('api-key').removeAttribute('aria-invalid');
  try {
    await loadModels();
  } catch (err) {
    if (key === getKey()) notify(err.message);
  }
  await loadStatus();
  await refreshJobs();
}

function initKey() {
  const input = $('api-key');
  input.value = getKey();
  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    setKey(input.value.trim());
    void connect();
  });
  document.addEventListener('api-auth-error', (e) => {
    notify(e.detail.message);
    input.setAttribute('aria-invalid', 'true');
  });
}

initTabs();
initKey();
initLanguages();
initFiles();
initJobs(showResult);
initLive();
$('model').addEventListener('change', syncModel);
document.addEventListener('work-done', () => void loadStatus());
void connect();
