// Preloaded (`node --import`) into every server an e2e test spawns: when the process that spawned
// it dies without stopping it (a crashed or killed test worker, a hook that timed out), the
// server kills its own process group (itself, a relaunched child, ffmpeg) instead of living on
// as an orphan. Unref'd: it never keeps a server alive, and it costs one check per quarter second.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid === parent) return;
  try {
    // A group leader (spawned detached by the helper): everything it started goes with it.
    process.kill(-process.pid, 'SIGKILL');
  } catch {
    // Not a group leader (e.g. the server main.ts relaunched under its supervisor): just itself.
    process.kill(process.pid, 'SIGKILL');
  }
}, 250).unref();
