/**
 * Every server process an e2e test spawns goes through here, so that none outlives its test,
 * whatever happens (a failed start, a failed assertion, a hook timeout, a kill -9 test):
 * - each is a process-group leader (detached), so killing the group also ends what it started:
 *   the relaunched server behind main.ts's supervisor, ffmpeg decodes;
 * - each has exit-with-parent.mjs preloaded, so if this test process itself dies, the server ends too;
 * - every live one is known here, and killed (SIGKILL, synchronously) when this process exits.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WATCHDOG = fileURLToPath(new URL('./exit-with-parent.mjs', import.meta.url));
const live = new Set<ChildProcess>();

const alive = (p: ChildProcess) => p.exitCode === null && p.signalCode === null;

/** SIGKILL to the process's group (it and everything it started); quiet if it is gone. */
export function killGroup(proc: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (proc.pid === undefined) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // ESRCH: no member of the group is left. EPERM cannot happen for our own children.
  }
}

process.once('exit', () => {
  for (const p of live) killGroup(p);
});

/** `node --import <watchdog> ...args`, tracked and in its own process group. */
export function spawnNode(args: string[], opts: SpawnOptions): ChildProcess {
  const proc = spawn(process.execPath, ['--import', WATCHDOG, ...args], { ...opts, detached: true });
  live.add(proc);
  proc.once('exit', () => {
    live.delete(proc);
    // The leader is gone; whatever it left in its group (an orphaned ffmpeg) goes too.
    killGroup(proc);
  });
  return proc;
}

/** Resolves once the process has exited (at once if it already has). */
export const exitOf = (proc: ChildProcess): Promise<void> =>
  alive(proc) ? new Promise((r) => proc.once('exit', () => r())) : Promise.resolve();

/**
 * Asks the process to stop with `signal` (its drain), and kills its whole group if it has not
 * exited within `graceMs`. Never waits longer than that, never leaves anything running.
 */
export async function stopProcess(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 45_000): Promise<void> {
  if (alive(proc)) {
    proc.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), graceMs)));
    const outcome = await Promise.race([exitOf(proc).then(() => 'exited' as const), late]);
    clearTimeout(timer);
    if (outcome === 'late') {
      killGroup(proc);
      await exitOf(proc);
    }
  }
  killGroup(proc);
}

/** kill -9 of the whole group, awaited: a crash, as a test means it. */
export async function crashProcess(proc: ChildProcess): Promise<void> {
  killGroup(proc);
  await exitOf(proc);
}

/** Servers still running (for a test asserting that it left none). */
export const liveProcesses = (): readonly ChildProcess[] => [...live];
