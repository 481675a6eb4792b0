/**
 * A download progress bar on stderr (stdout stays clean for scripting). On a
 * terminal it redraws one line; in CI logs it prints a line per 10% instead
 * of thousands of carriage returns.
 */

export interface Progress {
  update(bytes: number): void;
  done(): void;
}

const MB = 1024 * 1024;

export function formatBytes(n: number): string {
  return n >= 1024 * MB ? `${(n / 1024 / MB).toFixed(2)} GiB` : `${(n / MB).toFixed(1)} MiB`;
}

export function renderBar(done: number, total: number | undefined, width = 30): string {
  if (!total) return `${formatBytes(done)}`;
  const frac = Math.min(1, done / total);
  const fill = Math.round(frac * width);
  return `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${(frac * 100).toFixed(0).padStart(3)}% ${formatBytes(done)} / ${formatBytes(total)}`;
}

export function createProgress(label: string, total: number | undefined, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = Date.now();
  let bytes = 0;
  let lastDraw = 0;
  let lastStep = -1;
  const rate = () => `${formatBytes(bytes / Math.max(0.001, (Date.now() - started) / 1000))}/s`;
  const draw = (final: boolean) => {
    if (stream.isTTY) {
      stream.write(`\r${label} ${renderBar(bytes, total)} ${rate()}\x1b[K${final ? '\n' : ''}`);
      return;
    }
    // Without a TTY: one line per 10% (or per 50 MiB when the size is unknown).
    const step = total ? Math.floor((bytes / total) * 10) : Math.floor(bytes / (50 * MB));
    if (step !== lastStep || final) {
      lastStep = step;
      stream.write(`${label} ${renderBar(bytes, total)} ${rate()}\n`);
    }
  };
  return {
    update(n) {
      bytes = n;
      const now = Date.now();
      if (now - lastDraw >= 100) {
        lastDraw = now;
        draw(false);
      }
    },
    done() {
      draw(true);
    },
  };
}
