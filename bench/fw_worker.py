"""faster-whisper side of the benchmarks: a long-lived worker answering JSON lines.

argv: MODEL_DIR COMPUTE_TYPE CPU_THREADS [NUM_WORKERS]. CPU_THREADS 0 is faster-whisper's own default
(CTranslate2 picks; bench/fw-settings.ts measures what that costs). Each request: {"id", "file", "beam_size", "best_of",
"fallback"}; reply: {"id", "seconds", "text"}. Audio is decoded once per file before timing,
so "seconds" covers feature extraction + encode + decode, as on the engine side.
Settings mirror whisper.cpp: language en, vad off, word timestamps off, suppress_tokens [-1],
and condition_on_previous_text=True, because whisper.cpp's no_context=true only clears text
from *earlier calls*; inside one call it prompts each window with the previous windows' text
(dropped above temperature 0.5, like faster-whisper's prompt_reset_on_temperature=0.5).
"""
import json
import sys
import time

from faster_whisper import WhisperModel, decode_audio

model_dir, compute_type, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
workers = int(sys.argv[4]) if len(sys.argv) > 4 else 1
model = WhisperModel(model_dir, device="cpu", compute_type=compute_type, cpu_threads=threads, num_workers=workers)
audio = {}
FALLBACK = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]

print(json.dumps({"id": -1, "ready": True}), flush=True)
for line in sys.stdin:
    req = json.loads(line)
    try:
        if req["file"] not in audio:
            audio[req["file"]] = decode_audio(req["file"], sampling_rate=16000)
        t0 = time.perf_counter()
        segments, _ = model.transcribe(
            audio[req["file"]],
            language="en",
            task="transcribe",
            beam_size=req["beam_size"],
            best_of=req["best_of"],
            temperature=FALLBACK if req["fallback"] else 0.0,
            compression_ratio_threshold=2.4,
            log_prob_threshold=-1.0,
            no_speech_threshold=0.6,
            condition_on_previous_text=True,
            vad_filter=False,
            word_timestamps=False,
        )
        text = "".join(s.text for s in segments).strip()  # the generator does the work
        print(json.dumps({"id": req["id"], "seconds": time.perf_counter() - t0, "text": text}), flush=True)
    except Exception as e:  # report, keep serving
        print(json.dumps({"id": req["id"], "error": repr(e)}), flush=True)
