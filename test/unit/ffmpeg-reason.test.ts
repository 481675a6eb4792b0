import { describe, expect, it } from 'vitest';
import { ffmpegReason } from '../../src/audio/ffmpeg.js';

describe('ffmpegReason', () => {
  it('keeps the last lines, drops the banner and hides the input path', () => {
    const stderr = [
      'ffprobe version 5.1.6 Copyright (c) 2007-2024',
      '  libpostproc    56.  6.100 / 56.  6.100',
      '/tmp/spool-123/upload.mp3: Invalid data found when processing input',
    ].join('\n');
    expect(ffmpegReason(stderr, 'x', '/tmp/spool-123/upload.mp3')).toBe('input: Invalid data found when processing input');
  });

  it('falls back when ffmpeg said nothing useful', () => {
    expect(ffmpegReason('', 'ffprobe could not read the file')).toBe('ffprobe could not read the file');
  });
});
