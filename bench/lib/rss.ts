/** Resident set size of a process, from /proc (includes native allocations, unlike the V8 heap). */
import { readFileSync } from 'node:fs';

export function rssMiB(pid: number | 'self' = 'self'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}
