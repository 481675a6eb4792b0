/**
 * Just enough W3C WebDriver to drive Debian's chromium through chromedriver over HTTP (no
 * browser download, no client library): start a session, navigate, run script, pick a file,
 * resize, screenshot.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { waitFor } from './server.js';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const CHROMEDRIVER = process.env.CHROMEDRIVER ?? '/usr/bin/chromedriver';

/** Headless, quiet, no first-run work; `profile` is a fresh user-data dir. */
export const headlessArgs = (profile: string, width: number, height: number) => [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, `--window-size=${width},${height}`,
  '--autoplay-policy=no-user-gesture-required',
];

/**
 * Chromium's fake microphone playing `clip`: `lead` seconds of silence, the clip, then `tail` seconds
 * of silence (Chromium loops the file, so the tail keeps the speech to once per test). Returns the args.
 */
export function fakeMicrophoneArgs(dir: string, clip: string, lead: number, tail: number): string[] {
  const mic = path.join(dir, 'mic.wav');
  const silence = (t: number) => ['-f', 'lavfi', '-t', String(t), '-i', 'anullsrc=r=48000:cl=mono'];
  execFileSync('ffmpeg', ['-v', 'error', ...silence(lead), '-i', clip, ...silence(tail),
    '-filter_complex', '[1:a]aresample=48000[s];[0:a][s][2:a]concat=n=3:v=0:a=1', '-ac', '1', '-ar', '48000', '-c:a', 'pcm_s16le', mic]);
  return ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${mic}`];
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

export interface Browser {
  go(url: string): Promise<void>;
  /** Runs a function body in the page (W3C execute/sync); `arguments` are the args. */
  exec<T>(body: string, ...args: unknown[]): Promise<T>;
  screenshot(file: string): Promise<void>;
  /** Sets an `<input type=file>` (found by CSS selector) to a local file, as a user picking it does. */
  chooseFile(selector: string, file: string): Promise<void>;
  /** Real key presses into the element (focusing it first); WebDriver's codes, e.g. '\uE014' is ArrowRight. */
  keys(selector: string, text: string): Promise<void>;
  /** The window's outer size in CSS pixels (a phone: 390 × 844). */
  resize(width: number, height: number): Promise<void>;
  quit(): Promise<void>;
}

/** Fails with instructions, never skips, when chromium or chromedriver is missing. */
export async function launchChromium(args: string[], prefs: Record<string, unknown> = {}): Promise<Browser> {
  for (const bin of [CHROMIUM, CHROMEDRIVER]) {
    if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: apt-get install -y chromium chromium-driver (scripts/setup.sh does it).`);
  }
  const port = await freePort();
  const driver: ChildProcess = spawn(CHROMEDRIVER, [`--port=${port}`, '--allowed-ips=127.0.0.1'], { stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/status`).then((r) => r.ok).catch(() => false)), 15_000);
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await res.json()) as { value: any };
    if (!res.ok) throw new Error(`webdriver ${method} ${path}: ${JSON.stringify(json.value).slice(0, 500)}`);
    return json.value;
  };
  let id: string;
  try {
    const session = await call('POST', '/session', {
      capabilities: { alwaysMatch: { browserName: 'chrome', 'goog:chromeOptions': { binary: CHROMIUM, args, prefs } } },
    });
    id = session.sessionId;
  } catch (err) {
    driver.kill();
    throw err;
  }
  const keys = async (selector: string, text: string) => {
    const found = await call('POST', `/session/${id}/element`, { using: 'css selector', value: selector });
    const element = found[Object.keys(found)[0]!];
    await call('POST', `/session/${id}/element/${element}/value`, { text });
  };
  return {
    go: async (url) => void (await call('POST', `/session/${id}/url`, { url })),
    exec: (body, ...a) => call('POST', `/session/${id}/execute/sync`, { script: body, args: a }),
    async screenshot(file) {
      fs.writeFileSync(file, Buffer.from(await call('GET', `/session/${id}/screenshot`), 'base64'));
    },
    keys,
    // For a file input, "typing" its path is how WebDriver picks a file.
    chooseFile: keys,
    resize: async (width, height) => void (await call('POST', `/session/${id}/window/rect`, { width, height })),
    async quit() {
      await call('DELETE', `/session/${id}`).catch(() => undefined);
      driver.kill();
    },
  };
}
