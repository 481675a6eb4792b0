import { describe, expect, test } from 'vitest';
import { renderSrt, renderText, renderVtt } from '../../src/format/index.js';
import { cueText, srtTime, vttTime } from '../../src/format/timestamps.js';
import { transcript } from './format-fixtures.js';

describe('timestamps', () => {
  test('srt uses a comma, vtt a dot, both with hours', () => {
    expect(srtTime(0)).toBe('00:00:00,000');
    expect(vttTime(0)).toBe('00:00:00.000');
    expect(srtTime(61.5)).toBe('00:01:01,500');
    expect(vttTime(3661.005)).toBe('01:01:01.005');
  });
  test('rounds to the millisecond and never goes negative', () => {
    expect(srtTime(1.0006)).toBe('00:00:01,001');
    expect(srtTime(-0.2)).toBe('00:00:00,000');
    expect(vttTime(59.9996)).toBe('00:01:00.000');
  });
  test('cue text is trimmed and cannot fake a timing line', () => {
    expect(cueText('  a --> b ')).toBe('a -> b');
  });
});

describe('plain renderers', () => {
  test('text is the trimmed transcript plus a newline, as text/plain', () => {
    const r = renderText(transcript());
    expect(r.body).toBe('And so my fellow Americans, ask not. What you can do.\n');
    expect(r.contentType).toMatch(/^text\/plain/);
  });

  test('srt numbers cues from 1 with blank lines between', () => {
    const r = renderSrt(transcript());
    expect(r.body).toBe(
      '1\n00:00:00,000 --> 00:00:07,600\nAnd so my fellow Americans, ask not.\n\n' +
        '2\n00:00:07,600 --> 01:01:01,005\nWhat -> you can do.\n\n',
    );
    expect(r.contentType).toMatch(/^text\/plain/);
  });

  test('vtt starts with the WEBVTT header and has unnumbered cues', () => {
    const r = renderVtt(transcript());
    expect(r.body).toBe(
      'WEBVTT\n\n00:00:00.000 --> 00:00:07.600\nAnd so my fellow Americans, ask not.\n\n' +
        '00:00:07.600 --> 01:01:01.005\nWhat -> you can do.\n\n',
    );
    expect(r.contentType).toMatch(/^text\/vtt/);
  });

  test('no segments still gives valid documents', () => {
    const empty = transcript({ segments: [], text: '' });
    expect(renderSrt(empty).body).toBe('');
    expect(renderVtt(empty).body).toBe('WEBVTT\n\n');
    expect(renderText(empty).body).toBe('\n');
  });

  test('no plain format is ever labelled JSON (the Node SDK would try to parse it)', () => {
    for (const r of [renderText(transcript()), renderSrt(transcript()), renderVtt(transcript())]) {
      expect(r.contentType).not.toMatch(/json/);
    }
  });
});
