/**
 * Memory: RSS of an engine process with tiny.en loaded and idle, then over 200 transcriptions
 * of jfk.wav (pool concurrency 2, 1 thread each, as the server defaults on 2 cores), sampled
 * every 20 after a V8 GC, so JS garbage does not hide or fake native growth.
 */
import { availableParallelism } from 'node:os';
import { startEngineWorker } from './lib/engine-client.js';
import { audioPath, CLIPS } from './lib/env.js';
import { waitForQuiet } from './lib/load.js';
import { Report } from './lib/report.js';
import { GREEDY } from './lib/settings.js';
import { fmt, table } from './lib/stats.js';

export async function main(args: string[]): Promise<string> {
  const total = Number(args[0] ?? 200);
  const concurrency = 2;
  const threads = Math.max(1, Math.floor(availableParallelism() / concurrency));
  const load = await waitForQuiet('memory');
  const w = await startEngineWorker({ concurrency });
  const rows: (string | number)[][] = [];
  try {
    const idle = await w.rss(true);
    const row = async (done: number, growth: string) => {
      const m = await w.memory(true);
      rows.push([done, fmt(m.rss, 1), growth, fmt(m.heapTotal, 1), fmt(m.external, 1), fmt(m.rss - m.heapTotal - m.external, 1)]);
      return m.rss;
    };
    await row(0, '');
    let done = 0;
    let warm = NaN;
    let steady = NaN;
    while (done < total) {
      const batch = Math.min(done < 10 ? 10 : 20, total - done);
      let left = batch;
      const client = async () => {
        while (left-- > 0) await w.transcribe(audioPath(CLIPS.jfk.file), threads, GREEDY);
      };
      await Promise.all(Array.from({ length: concurrency }, client));
      done += batch;
      const rss = await w.rss(true);
      if (done === 10) warm = rss;
      if (done === 50) steady = rss;
      await row(done, `${fmt(((rss - warm) / warm) * 100, 1)} %`);
      console.error(`  ${done}/${total}: ${fmt(rss, 1)} MiB`);
    }
    const last = Number(rows.at(-1)![1]);
    return new Report('Memory (RSS)')
      .add(
        `Engine worker process (node + tsx + addon + tiny.en), pool concurrency ${concurrency}, ${threads} thread(s) per request, ${GREEDY.name}; ` +
          `glibc malloc env: ${Object.entries(process.env).filter(([k]) => k.startsWith('MALLOC_')).map(([k, v]) => `${k}=${v}`).join(' ') || 'none'}; ${load}.`,
        `Idle with tiny.en loaded: **${fmt(idle, 1)} MiB** (target ≤ 200 MB: ${idle <= 200 ? 'met' : 'missed'}). ` +
          `After ${total}: ${fmt(last, 1)} MiB, growth ${fmt(((last - warm) / warm) * 100, 1)} % from the warm state after 10 ` +
          `(${fmt(((last - idle) / idle) * 100, 1)} % from idle; ${fmt(((last - steady) / steady) * 100, 1)} % from 50 to ${total}; target < 5 %).`,
        table(['transcriptions done', 'RSS MiB (after GC)', 'growth since 10', 'V8 heapTotal', 'V8 external', 'rest (native, code)'], rows),
      )
      .toString();
  } finally {
    await w.close();
  }
}
