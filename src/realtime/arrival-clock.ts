/**
 * When each part of the stream arrived, on the wall clock: latency is measured from the moment
 * the audio a result covers had reached the server, not from when it was decoded.
 */
export class ArrivalClock {
  private marks: Array<{ sample: number; at: number }> = [];

  constructor(private readonly now: () => number) {}

  /** Everything up to absolute sample `sample` has arrived now. */
  note(sample: number): void {
    this.marks.push({ sample, at: this.now() });
    if (this.marks.length > 512) this.marks.splice(0, 256);
  }

  /** Wall time at which absolute sample `sample` had arrived. */
  at(sample: number): number {
    for (const a of this.marks) if (a.sample >= sample) return a.at;
    return this.marks.at(-1)?.at ?? this.now();
  }
}
