/**
 * Transcribes one file through the real engine (src/engine) and decoder (src/audio), with
 * whichever addon WHISPER_ADDON_PATH names (default: node_modules/smart-whisper's own build).
 * .ci/native-checks.sh runs it for the stock addon and for the BYOL build and compares the text.
 *
 * usage: WHISPER_ADDON_PATH=... npx tsx scripts/native/smoke-transcribe.ts MODEL.bin AUDIO [EXPECT]
 * Prints one JSON line: { addon, text, audioSeconds, seconds }. Exits 1 if EXPECT (a phrase,
 * compared case- and punctuation-insensitively) is missing from the text.
 */
import { createFfmpegDecoder } from '../../src/audio/ffmpeg.js';
import { addonVariant } from '../../src/engine/native.js';
import { createWhisperEngine } from '../../src/engine/whisper.js';

const [modelPath, audioPath, expect] = process.argv.slice(2);
if (!modelPath || !audioPath) {
  console.error('usage: smoke-transcribe.ts MODEL.bin AUDIO [EXPECT]');
  process.exit(2);
}
const normalize = (s: string) => s.toLowerCase().replace(/[^a-z0-9 ]+/g, ' ').replace(/\s+/g, ' ').trim();

const audio = await createFfmpegDecoder().decodeFile(audioPath);
const model = await createWhisperEngine({ logVerbosity: 0 }).loadModel(modelPath, { name: 'smoke' });
const start = performance.now();
const transcript = await model.transcribe(audio.pcm, { language: 'en', threads: 2, beamSize: 1 });
const seconds = (performance.now() - start) / 1000;
await model.free();

const text = transcript.text.trim();
console.log(JSON.stringify({ addon: process.env.WHISPER_ADDON_PATH ?? `node_modules (${addonVariant()})`, text, audioSeconds: audio.duration, seconds: Number(seconds.toFixed(2)) }));
if (expect && !normalize(text).includes(normalize(expect))) {
  console.error(`smoke-transcribe: expected "${expect}" in the transcript`);
  process.exit(1);
}
