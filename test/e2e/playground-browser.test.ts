/**
 * The playground at `/` in real headless Chromium against the real server (tiny.en, API_KEYS set):
 * the key messages, a file upload with word timestamps, the downloads against the server's own
 * renderings, a long file as an async job with its progress, a microphone recording, a drop, the
 * tabs from the keyboard, and a phone-sized layout. Screenshots go to PLAYGROUND_ARTIFACTS (default test-artifacts/, git-ignored), for a person
 * to look at; PLAYGROUND_UPDATE_DOCS=1 also rewrites the README's docs/playground.png.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT, audio, normalize, requireWeights, startServer, waitFor, type RunningServer } from './helpers/server.js';
import { fakeMicrophoneArgs, headlessArgs, launchChromium, type Browser } from './helpers/webdriver.js';
import { wer } from '../support/wer.js';

const KEY = 'sk-playground-e2e';
const JFK = 'and so my fellow americans ask not what your country can do for you ask what you can do for your country';
export const ARTIFACTS = process.env.PLAYGROUND_ARTIFACTS ?? path.join(ROOT, 'test-artifacts');
let server: RunningServer;
let browser: Browser;
let dir: string;
let downloads: string;

beforeAll(async () => {
  requireWeights('tiny.en');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-playground-'));
  downloads = path.join(dir, 'downloads');
  fs.mkdirSync(downloads);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const mic = fakeMicrophoneArgs(dir, audio('jfk.wav'), 0.5, 30);
  server = await startServer({ API_KEYS: KEY, PRELOAD_MODELS: 'tiny.en', POOL_CONCURRENCY: '1', THREADS_PER_REQUEST: '2' });
  browser = await launchChromium([...headlessArgs(path.join(dir, 'profile'), 1280, 900), '--hide-scrollbars', ...mic], {
    'download.default_directory': downloads,
    'download.prompt_for_download': false,
    // Chromium asks before a page's second download; a user would say yes.
    'profile.default_content_setting_values.automatic_downloads': 1,
  });
}, 120_000);
afterAll(async () => {
  await browser?.quit();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const text = (selector: string) => browser.exec<string>('return document.querySelector(arguments[0])?.innerText ?? ""', selector);
const shot = async (name: string) => {
  await browser.exec('window.scrollTo(0, 0)');
  await browser.screenshot(path.join(ARTIFACTS, name));
};
const click = (selector: string) => browser.exec('document.querySelector(arguments[0]).click()', selector);
const useKey = (key: string) =>
  browser.exec("document.getElementById('api-key').value = arguments[0]; document.querySelector('#key-form button').click()", key);
/** Waits for a condition in the page; the failure message shows what the page showed. */
const until = async (body: string, ms: number, ...args: unknown[]) => {
  await waitFor(async () => Boolean(await browser.exec(body, ...args)), ms, () => `\nalert: ${lastAlert}\nstatus: ${lastStatus}\nserver: ${server.logs.join('').slice(-2000)}`);
};
let lastAlert = '';
let lastStatus = '';
const observe = async () => {
  lastAlert = await text('#alert');
  lastStatus = await text('#file-status');
};

describe('the playground', () => {
  test('without a key, and with a wrong one, it says so plainly', async () => {
    await browser.go(`${server.url}/`);
    await until("return !document.getElementById('alert').hidden && /needs the API key/.test(document.getElementById('status').innerText)", 30_000);
    await observe();
    expect(lastAlert).toMatch(/needs an API key.*API key/);
    await useKey('sk-wrong');
    await until("return /refused this API key/.test(document.getElementById('alert').innerText)", 20_000);
    expect(await browser.exec<string>("return document.getElementById('api-key').getAttribute('aria-invalid')")).toBe('true');
    await shot('playground-wrong-key.png');
  });

  test('with the key: the status panel, then jfk.wav gives words with timestamps, and clicking a word seeks', async () => {
    await useKey(KEY);
    await until("return document.getElementById('alert').hidden && document.getElementById('status').dataset.ready === 'true'", 30_000);
    expect(await text('#status')).toMatch(/Loaded\s+tiny\.en/);
    expect(await text('#status')).toMatch(/VAD\s+yes/);
    expect(await browser.exec<string[]>("return [...document.getElementById('model').options].map((o) => o.value)")).toContain('whisper-1');
    // The key is kept for the tab: a reload needs no typing.
    await browser.go(`${server.url}/`);
    await until("return document.getElementById('status').dataset.ready === 'true'", 30_000);

    await browser.chooseFile('#file', audio('jfk.wav'));
    await until("return document.body.dataset.fileSeconds !== undefined && !document.getElementById('go').disabled", 20_000);
    expect(await browser.exec<boolean>("return document.getElementById('as-job').checked")).toBe(false);
    await click('#go');
    await until("return document.querySelectorAll('#segments .w').length > 0", 60_000);

    const words = await browser.exec<Array<{ w: string; start: number; end: number }>>(
      "return [...document.querySelectorAll('#segments .w')].map((e) => ({ w: e.textContent, start: Number(e.dataset.start), end: Number(e.dataset.end) }))",
    );
    expect(wer(JFK, normalize(words.map((x) => x.w).join(' ')))).toBeLessThanOrEqual(0.1);
    for (const [i, x] of words.entries()) {
      expect(x.end).toBeGreaterThanOrEqual(x.start);
      if (i) expect(x.start).toBeGreaterThanOrEqual(words[i - 1]!.start);
    }
    expect(words.at(-1)!.end).toBeGreaterThan(8);
    expect(words.at(-1)!.end).toBeLessThanOrEqual(11.1);
    // Each segment row starts with its time, as m:ss.s.
    expect(await text('#segments li .ts')).toMatch(/^0:0\d\.\d$/);

    // Clicking "country" (the last word) moves the audio there and highlights its segment.
    await browser.exec("[...document.querySelectorAll('#segments .w')].at(-1).click()");
    await until("return document.querySelector('#segments li.current') !== null", 20_000);
    const t = await browser.exec<number>("return document.getElementById('player').currentTime");
    expect(t).toBeGreaterThanOrEqual(words.at(-1)!.start - 0.01);
    await browser.exec("document.getElementById('player').pause()");
    await shot('playground-file.png');
  });

  /** What the page saved for a download button. */
  const downloaded = async (format: string) => {
    await click(`.downloads button[data-format=${format}]`);
    const file = path.join(downloads, `jfk.${format}`);
    await waitFor(() => fs.existsSync(file) && fs.statSync(file).size > 0, 20_000, () => fs.readdirSync(downloads).join(', '));
    return fs.readFileSync(file, 'utf8');
  };
  /** The server's own rendering of jfk.wav in `format`. */
  const serverSays = async (format: string) => {
    const form = new FormData();
    form.append('file', new Blob([fs.readFileSync(audio('jfk.wav'))]), 'jfk.wav');
    form.append('model', 'whisper-1');
    form.append('response_format', format);
    const res = await fetch(`${server.url}/v1/audio/transcriptions`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: form });
    expect(res.status).toBe(200);
    return res.text();
  };

  test("the SRT, VTT and TXT downloads hold the server's own renderings of the clip", async () => {
    const srt = await downloaded('srt');
    expect(srt).toMatch(/^1\n00:00:00,000 --> 00:00:\d\d,\d{3}\n\S/);
    // Word timestamps (asked for by the page) never move segment boundaries, so the cues are the same.
    expect(srt).toBe(await serverSays('srt'));
    expect(await downloaded('vtt')).toBe(await serverSays('vtt'));
    expect(await downloaded('txt')).toBe(await serverSays('text'));
    const json = JSON.parse(await downloaded('json'));
    expect(json).toMatchObject({ task: 'transcribe', language: 'english' });
    expect(json.words.length).toBeGreaterThan(15);
  });

  test('a long file goes as an async job: progress, then the transcript and the job in the list', async () => {
    await browser.chooseFile('#file', audio('long_concat_en_16k.wav'));
    await until("return Number(document.body.dataset.fileSeconds) > 60", 20_000);
    expect(await browser.exec<boolean>("return document.getElementById('as-job').checked")).toBe(true);
    await click('#go');
    // Sample the bar while the job runs: it must move through values strictly between 0 and 1.
    const seen = new Set<number>();
    await waitFor(async () => {
      const v = await browser.exec<number>("return document.getElementById('progress-row').hidden ? -1 : document.getElementById('progress').value");
      if (v > 0 && v < 1) seen.add(v);
      if (seen.size === 1) await shot('playground-job-progress.png');
      await observe();
      return /completed/.test(lastStatus);
    }, 150_000, () => `\nstatus: ${lastStatus}\nalert: ${lastAlert}\nserver: ${server.logs.join('').slice(-2000)}`);
    expect(seen.size, [...seen].join(', ')).toBeGreaterThanOrEqual(1);
    expect(await text('#progress-text')).toMatch(/100 %/);
    const ends = await browser.exec<number[]>("return [...document.querySelectorAll('#segments li')].map((li) => Number(li.dataset.end))");
    expect(ends.at(-1)).toBeGreaterThan(70);
    await until("return document.querySelector('#jobs li[data-status=completed] .name')?.textContent === 'long_concat_en_16k.wav'", 20_000);
    await shot('playground-job.png');
    // The README's picture (docs/playground.png is this, shrunk): a tall window, the third segment playing.
    await browser.resize(1200, 1180);
    await browser.exec("const p = document.getElementById('player'); p.muted = true; document.querySelectorAll('#segments .ts')[2].click()");
    await until("return document.querySelectorAll('#segments li')[2].classList.contains('current')", 20_000);
    await browser.exec("const p = document.getElementById('player'); p.pause(); p.muted = false;");
    await shot('playground-readme.png');
    if (process.env.PLAYGROUND_UPDATE_DOCS === '1') {
      // 960 px wide, 64 colours: about 70 KB in the repository.
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', path.join(ARTIFACTS, 'playground-readme.png'), '-vf',
        'scale=960:-1:flags=lanczos,split[a][b];[a]palettegen=max_colors=64:stats_mode=full[p];[b][p]paletteuse=dither=none',
        '-pix_fmt', 'pal8', path.join(ROOT, 'docs', 'playground.png')]);
    }
    await browser.resize(1280, 900);
    // The list's "Show" brings the result back.
    await browser.exec("document.querySelector('#segments').replaceChildren(); document.querySelector('#jobs li[data-status=completed] button').click()");
    await until("return document.querySelectorAll('#segments li').length > 5", 20_000);
  });

  test('a recording from the microphone is transcribed like a file', async () => {
    await click('#record');
    await until("return document.getElementById('record').textContent === 'Stop recording'", 20_000);
    await new Promise((r) => setTimeout(r, 12_500));
    await click('#record');
    await until("return /^recording-.*\\.(webm|ogg|m4a)/.test(document.getElementById('file-info').textContent) && !document.getElementById('go').disabled", 20_000);
    expect(await browser.exec<boolean>("return document.getElementById('as-job').checked")).toBe(false);
    await browser.exec("document.getElementById('words').checked = false");
    await click('#go');
    await until("return /Done in/.test(document.getElementById('file-status').textContent)", 60_000);
    const said = normalize(await text('#segments'));
    // The recording starts anywhere in the looping clip and is compressed by the browser: tiny.en may
    // miss a word of it ("asked not" was seen under load). At most one of the phrase's 9 words, in order.
    const phrase = 'ask not what your country can do for you'.split(' ');
    expect([said, inOrder(phrase, said.split(' '))]).toEqual([said, expect.toSatisfy((n: number) => n >= phrase.length - 1)]);
  });

  test('a file dropped on the zone is taken like a chosen one', async () => {
    // The drop carries the file the input holds (long_concat_en_16k.wav): a real File, through the page's drop handler.
    await browser.exec(
      "const dt = new DataTransfer(); dt.items.add(document.getElementById('file').files[0]); document.getElementById('drop').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }))",
    );
    await until("return /^long_concat_en_16k\\.wav/.test(document.getElementById('file-info').textContent) && Number(document.body.dataset.fileSeconds) > 60", 20_000);
    expect(await browser.exec<boolean>("return document.getElementById('as-job').checked && !document.getElementById('go').disabled")).toBe(true);
  });

  test('the tabs work from the keyboard (arrow keys, as ARIA tabs do)', async () => {
    const selected = () => browser.exec<string>("return document.querySelector('[role=tab][aria-selected=true]').id + ' ' + document.activeElement.id");
    await browser.keys('#tab-file', '\uE014'); // ArrowRight
    expect(await selected()).toBe('tab-live tab-live');
    expect(await browser.exec<boolean>("return document.getElementById('panel-live').hidden || !document.getElementById('panel-file').hidden")).toBe(false);
    await browser.keys('#tab-live', '\uE012'); // ArrowLeft
    expect(await selected()).toBe('tab-file tab-file');
  });

  test('fits a phone-sized screen: no sideways scrolling', async () => {
    await browser.resize(390, 844);
    await browser.go(`${server.url}/`);
    await until("return document.getElementById('status').dataset.ready === 'true'", 30_000);
    const overflow = await browser.exec<number>('return document.documentElement.scrollWidth - document.documentElement.clientWidth');
    const wide = await browser.exec<string[]>(
      "return [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5).map((e) => `${e.tagName}#${e.id}.${e.className}`)",
    );
    expect(overflow, wide.join(', ')).toBeLessThanOrEqual(0);
    await shot('playground-phone.png');
    await browser.resize(1280, 900);
  });
});

/** How many of `want`'s words appear in `got` in the same order (longest common subsequence). */
function inOrder(want: string[], got: string[]): number {
  let row = new Array<number>(got.length + 1).fill(0);
  for (const w of want) {
    const next = [0];
    for (let j = 0; j < got.length; j++) next.push(w === got[j] ? row[j] + 1 : Math.max(row[j + 1], next[j]));
    row = next;
  }
  return row[got.length];
}
