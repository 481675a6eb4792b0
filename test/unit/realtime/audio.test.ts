import { describe, expect, it } from 'vitest';
import { alawToLinear, createAudioDecoder, decodeBase64, ulawToLinear } from '../../../src/realtime/audio.js';

const sine24k = (hz: number, seconds: number, amp = 0.5) => {
  const n = Math.round(seconds * 24_000);
  const b = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(amp * 32767 * Math.sin((2 * Math.PI * hz * i) / 24_000)), i * 2);
  return b;
};
const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);

describe('pcm16 24 kHz → 16 kHz', () => {
  it('keeps a 1 kHz tone (amplitude, frequency) and yields 2/3 of the samples', () => {
    const d = createAudioDecoder('pcm16');
    const out = new Float32Array([...d.push(sine24k(1000, 1)), ...d.flush()]);
    expect(Math.abs(out.length - 16_000)).toBeLessThanOrEqual(1);
    expect(rms(out.subarray(100, -100))).toBeCloseTo(0.5 / Math.SQRT2, 2);
    // Zero crossings of 1 kHz over one second: 2000.
    let crossings = 0;
    for (let i = 1; i < out.length; i++) if (out[i - 1] < 0 !== out[i] < 0) crossings++;
    expect(Math.abs(crossings - 2000)).toBeLessThanOrEqual(2);
  });

  it('filters what 16 kHz cannot hold (a 10 kHz tone is attenuated by > 30 dB)', () => {
    const d = createAudioDecoder('pcm16');
    const out = d.push(sine24k(10_000, 0.5));
    expect(20 * Math.log10(rms(out.subarray(50)) / (0.5 / Math.SQRT2))).toBeLessThan(-30);
  });

  it('gives the same samples however the bytes are split (odd splits included)', () => {
    const input = sine24k(440, 0.3);
    const whole = createAudioDecoder('pcm16');
    const a = [...whole.push(input), ...whole.flush()];
    const parts = createAudioDecoder('pcm16');
    const b: number[] = [];
    for (let i = 0; i < input.length; i += 777) b.push(...parts.push(input.subarray(i, i + 777)));
    b.push(...parts.flush());
    expect(b.length).toBe(a.length);
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 6);
  });
});

describe('G.711', () => {
  it('decodes µ-law and A-law per ITU-T G.711', () => {
    expect(ulawToLinear(0xff)).toBe(0);
    expect(Math.abs(ulawToLinear(0x7f))).toBe(0); // negative zero
    expect(ulawToLinear(0x00)).toBe(-32124);
    expect(ulawToLinear(0x80)).toBe(32124);
    expect(alawToLinear(0xd5)).toBe(8);
    expect(alawToLinear(0x55)).toBe(-8);
    expect(alawToLinear(0xaa)).toBe(32256);
    expect(alawToLinear(0x2a)).toBe(-32256);
  });

  it('upsamples 8 kHz to 16 kHz (two samples per byte)', () => {
    const d = createAudioDecoder('g711_ulaw');
    expect(d.push(Buffer.alloc(800, 0xff)).length).toBe(1600);
  });
});

describe('base64', () => {
  it('accepts standard base64 and rejects anything else', () => {
    expect(decodeBase64('AAEC')).toEqual(Buffer.from([0, 1, 2]));
    expect(decodeBase64('')).toEqual(Buffer.alloc(0));
    expect(decodeBase64('not base64!')).toBeUndefined();
    expect(decodeBase64('AAE')).toEqual(Buffer.from([0, 1]));
    expect(decodeBase64('A')).toBeUndefined();
  });
});
