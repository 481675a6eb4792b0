/**
 * Reused decoding states for one loaded model. A whisper_state (KV caches, compute buffers, its VAD
 * context) costs tens of MB and real time to allocate; making and freeing one per request also
 * fragmented glibc's arenas (+12.8 % RSS over 200 requests). The pool keeps every state it ever
 * made, up to the number of transcriptions that ran at once, and hands them out one at a time.
 */
import type { NativeBinding, NativeHandle, NativeState } from './native.js';

export class StatePool {
  private readonly idle: NativeState[] = [];
  private created = 0;
  private inUse = 0;
  private closed = false;
  private onDrained?: () => void;

  constructor(
    private readonly native: Pick<NativeBinding, 'createState' | 'freeState'>,
    private readonly handle: NativeHandle,
  ) {}

  /** States allocated so far (the high-water mark of concurrent transcriptions). */
  get size(): number {
    return this.created;
  }

  /** Runs fn with a state of its own; the state returns to the pool afterwards, whatever happens. */
  async with<T>(fn: (state: NativeState) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('model is being freed');
    let state = this.idle.pop();
    this.inUse++;
    try {
      if (!state) {
        state = await this.native.createState(this.handle);
        this.created++;
      }
      return await fn(state);
    } finally {
      this.inUse--;
      if (state) {
        if (this.closed) this.native.freeState(state);
        else this.idle.push(state);
      }
      if (this.inUse === 0) this.onDrained?.();
    }
  }

  /**
   * Refuses new work, frees the idle states, and resolves once every running transcription has
   * returned its state (freed too): only then may the model's context be freed.
   */
  close(): Promise<void> {
    this.closed = true;
    for (const state of this.idle.splice(0)) this.native.freeState(state);
    if (this.inUse === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.onDrained = resolve;
    });
  }
}
