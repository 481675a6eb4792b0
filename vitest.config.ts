import { defineConfig } from 'vitest/config';

// Each running transcription holds one libuv threadpool thread for its whole duration; the
// threadpool is sized when first used, so set it before any test process starts.
process.env.UV_THREADPOOL_SIZE ??= '16';
// As the server sets it (src/relaunch.ts): large native buffers are mmapped and returned on free.
process.env.MALLOC_MMAP_THRESHOLD_ ??= '1048576';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The native addon is safest in child processes; two cores are better spent on one file at a time,
    // and the timing assertions (abort latency, slot release) need a quiet machine.
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
