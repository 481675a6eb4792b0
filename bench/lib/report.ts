/** Collects a benchmark's markdown output; run.ts prints it and saves it under bench/results/. */
import os from 'node:os';

export class Report {
  private parts: string[] = [];
  constructor(title: string) {
    this.parts.push(`## ${title}`, '', `_${new Date().toISOString()} · ${os.cpus()[0]?.model ?? 'cpu'} × ${os.availableParallelism()} · node ${process.version}_`, '');
  }
  add(...lines: string[]): this {
    this.parts.push(...lines, '');
    console.error(lines.join('\n'));
    return this;
  }
  toString(): string {
    return this.parts.join('\n');
  }
}
