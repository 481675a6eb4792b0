/** OpenAI bills whisper by duration and reports whole seconds, rounded up. */
export interface DurationUsage {
  type: 'duration';
  seconds: number;
}

export function durationUsage(durationSeconds: number): DurationUsage {
  // Tolerate float noise from sample counts (11.0000001 s is 11 s, not 12).
  return { type: 'duration', seconds: Math.max(0, Math.ceil(durationSeconds - 1e-6)) };
}
