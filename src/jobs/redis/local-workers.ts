/**
 * The BullMQ workers this process runs, for the job queue and the webhook queue alike.
 */
import type { Worker } from 'bullmq';

export interface LocalWorker {
  worker: Worker;
  closing: boolean;
}

/** kill -9 of this process, as far as its workers go: stop everything, hand nothing back. */
export async function killLocalWorkers(local: Set<LocalWorker>): Promise<void> {
  for (const ctl of local) {
    ctl.closing = true;
    await ctl.worker.close(true).catch(() => undefined);
  }
  local.clear();
}
