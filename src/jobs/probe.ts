/**
 * The submit-time probe: ffprobe reads the container's header (tens of milliseconds, no decode)
 * so an async upload that is not audio, or longer than ASYNC_MAX_AUDIO_SECONDS, is refused with
 * a 400 at submit instead of becoming a failed job, and the backlog gauge counts the job's
 * seconds from the start. The worker's full decode still re-checks: a header can lie.
 * (It lives here rather than in audio/ because the AudioDecoder interface has no probe yet.)
 */
import { errors } from '../errors.js';

export type ProbeDuration = (filePath: string) => Promise<number | undefined>;

export function createFfprobeDuration(): ProbeDuration {
  return async (filePath) => {
    const [{ default: ffmpeg }, { ffmpegReason }] = await Promise.all([import('fluent-ffmpeg'), import('../audio/ffmpeg.js')]);
    return new Promise((resolve, reject) => {
      ffmpeg.ffprobe(filePath, (err, data) => {
        if (err) return reject(errors.unsupportedAudio(ffmpegReason(String(err.message), 'ffprobe could not read the file', filePath), err));
        if (!data.streams.some((s) => s.codec_type === 'audio')) return reject(errors.unsupportedAudio('the file has no audio stream'));
        const duration = Number(data.format?.duration);
        resolve(Number.isFinite(duration) && duration > 0 ? duration : undefined);
      });
    });
  };
}
