import { normalize, wordErrors } from '../../test/support/wer.js';
import { references } from '../../test/support/paths.js';
const refs = new Map(references().map((r) => [r.file, normalize(r.text)]));
const ref = ['librispeech_2412-153948-0000.flac', 'ljspeech_LJ002-0020.wav', 'ljspeech_LJ002-0035.wav'].flatMap((c) => refs.get(c)!);
for (const h of process.argv.slice(2)) console.log(wordErrors(ref, normalize(h)), ref.length, normalize(h).slice(-5));
