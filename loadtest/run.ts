/**
 * npm run loadtest -- <scenario> [users] [seconds]
 *   scenario  sync-json | sync-verbose | sse | async-poll | realtime | mixed
 *   users     one count or a sweep "1,2,4,8" (closed-loop users = requests in flight); default 2
 *   seconds   per step, at most 60; default 20
 * Env: LOADTEST_REPLICAS (1 or 2 servers started here; default 1), or LOADTEST_URL (comma-separated
 * loopback URLs of servers already running). Results (Locust CSV + HTML, and summary.json) go to
 * loadtest/results/<scenario>-<time>/. Prints one row per step and the knee: the first step whose
 * p95 is at least twice the first step's, or that saw a 429.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReplica, type Replica } from './servers.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCENARIOS = ['sync-json', 'sync-verbose', 'sse', 'async-poll', 'realtime', 'mixed'];

interface Step {
  users: number;
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errorRate: number;
  rate429: number;
  audioPerSecond: number;
}

function parseArgs(argv: string[]) {
  const [scenario, users = '2', seconds = '20'] = argv;
  if (!scenario || !SCENARIOS.includes(scenario)) throw new Error(`usage: npm run loadtest -- <${SCENARIOS.join('|')}> [users|1,2,4] [seconds]`);
  const counts = users.split(',').map(Number);
  const secs = Number(seconds);
  if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 64)) throw new Error('users: integers 1-64');
  if (!Number.isFinite(secs) || secs < 5 || secs > 60) throw new Error('seconds: 5-60 per step');
  return { scenario, counts, secs };
}

const pct = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);

/** One step from the locustfile's summary: latencies of the successful main operation, statuses, audio. */
function readStep(summaryFile: string, users: number): Step {
  const s = JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as {
    audio_seconds: number; requests: number; ok: number; status: Record<string, number>; elapsed: number; latencies_ms: number[];
  };
  const lat = [...s.latencies_ms].sort((x, y) => x - y);
  return {
    users,
    requests: s.requests,
    rps: s.requests / s.elapsed,
    p50: pct(lat, 50),
    p95: pct(lat, 95),
    p99: pct(lat, 99),
    errorRate: s.requests ? (s.requests - s.ok) / s.requests : 0,
    rate429: s.requests ? (s.status['429'] ?? 0) / s.requests : 0,
    audioPerSecond: s.audio_seconds / s.elapsed,
  };
}

async function main() {
  const { scenario, counts, secs } = parseArgs(process.argv.slice(2));
  const replicas: Replica[] = [];
  let urls = (process.env.LOADTEST_URL ?? '').split(',').filter(Boolean);
  for (const u of urls) {
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(u).hostname)) throw new Error(`refusing non-loopback target ${u}`);
  }
  if (urls.length === 0) {
    const n = Number(process.env.LOADTEST_REPLICAS ?? '1');
    for (let i = 0; i < n; i++) replicas.push(await startReplica({}));
    urls = replicas.map((r) => r.url);
  }
  const out = path.join(HERE, 'results', `${scenario}-${urls.length}r-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  fs.mkdirSync(out, { recursive: true });
  const steps: Step[] = [];
  try {
    for (const users of counts) {
      const prefix = path.join(out, `u${users}`);
      const summary = `${prefix}_summary.json`;
      const r = spawnSync('locust', [
        '-f', path.join(HERE, 'locustfile.py'), '--headless', '--only-summary', '-u', String(users), '-r', String(users),
        '-t', `${secs}s`, '--stop-timeout', '30', '--host', urls[0], '--csv', prefix, '--html', `${prefix}.html`,
      ], { env: { ...process.env, LOADTEST_SCENARIO: scenario, LOADTEST_HOSTS: urls.join(','), LOADTEST_SUMMARY: summary }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
      // Locust exits 1 when any request failed; that is a result here, not a crash.
      if (!fs.existsSync(summary)) throw new Error(`locust failed (exit ${r.status}):\n${r.stderr}`);
      steps.push(readStep(summary, users));
      const s = steps[steps.length - 1];
      console.log(`${scenario} ${urls.length} replica(s) users=${s.users}: ${s.requests} req, ${s.rps.toFixed(2)} req/s, ` +
        `audio ${s.audioPerSecond.toFixed(1)} s/s, p50 ${s.p50} ms, p95 ${s.p95} ms, p99 ${s.p99} ms, ` +
        `errors ${(s.errorRate * 100).toFixed(1)}%, 429 ${(s.rate429 * 100).toFixed(1)}%`);
    }
  } finally {
    for (const r of replicas) await r.stop();
  }
  const knee = steps.find((s) => s.rate429 > 0 || s.p95 >= 2 * steps[0].p95);
  console.log(knee ? `knee: ${knee.users} users (${knee.rate429 > 0 ? '429s start' : 'p95 doubled'})` : `knee: not reached up to ${counts.at(-1)} users`);
  fs.writeFileSync(path.join(out, 'steps.json'), JSON.stringify({ scenario, replicas: urls.length, seconds: secs, steps, knee: knee?.users ?? null }, null, 2));
  console.log(`results: ${path.relative(process.cwd(), out)}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
