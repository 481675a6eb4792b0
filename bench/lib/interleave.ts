/**
 * Runs contenders side by side: round r runs every contender once, A,B,C,...; the starting
 * contender rotates each round so that no one always runs first after a pause. Warm-up rounds
 * are discarded.
 */
export interface Contender {
  name: string;
  /** One measured run; returns seconds (its own measure, e.g. compute time without model load). */
  run: () => Promise<number>;
}

export async function interleave(contenders: Contender[], reps: number, warmup = 1): Promise<Map<string, number[]>> {
  const times = new Map(contenders.map((c) => [c.name, [] as number[]]));
  for (let round = 0; round < warmup + reps; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(round + k) % contenders.length];
      const s = await c.run();
      if (round >= warmup) times.get(c.name)!.push(s);
    }
    process.stderr.write(`  round ${round + 1}/${warmup + reps}\r`);
  }
  process.stderr.write('\n');
  return times;
}

export const seconds = async (fn: () => Promise<unknown>): Promise<number> => {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
};
