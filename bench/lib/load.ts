/**
 * The machine is shared: before each measured block, wait (bounded) for the 1-minute load to
 * drop below a threshold, and report the load the block actually ran at.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export const loadavg = (): number[] => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);

const MAX_LOAD = Number(process.env.BENCH_MAX_LOAD ?? 1.5);
const MAX_WAIT_S = Number(process.env.BENCH_MAX_WAIT_S ?? 120);

/** Waits at most BENCH_MAX_WAIT_S seconds for load1 ≤ BENCH_MAX_LOAD; returns "load1 at start". */
export async function waitForQuiet(label: string): Promise<string> {
  const deadline = Date.now() + MAX_WAIT_S * 1000;
  let [l1] = loadavg();
  while (l1 > MAX_LOAD && Date.now() < deadline) {
    await sleep(10_000);
    [l1] = loadavg();
  }
  const note = l1 > MAX_LOAD ? ` (still above ${MAX_LOAD} after waiting ${MAX_WAIT_S} s)` : '';
  const msg = `loadavg ${loadavg().join(' ')}${note}`;
  console.error(`[${label}] ${msg}`);
  return msg;
}
