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

from faster_whisper import BatchedInferencePipeline, WhisperModel, decode_audio

model_dir, compute_type, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
workers = int(sys.argv[4]) if len(sys.argv) > 4 else 1
model = WhisperModel(model_dir, device="cpu", compute_type=compute_type, cpu_threads=threads, num_workers=workers)
batched = BatchedInferencePipeline(model=model)
audio = {}
FALLBACK = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]


def speaches_defaults(file):
    """What speaches does with a request at its defaults (the Engine 3 contender): decode the upload,
    BatchedInferencePipeline with batch 8 and beam 5, Silero VAD always on (min silence 160 ms,
    chunks of at most 30 s), no timestamps, temperature 0. Timed from the file on disk, decode included."""
    t0 = time.perf_counter()
    pcm = decode_audio(file, sampling_rate=16000)
    segments, _ = batched.transcribe(
        pcm,
        language="en",
        batch_size=8,
        beam_size=5,
        temperature=0.0,
        vad_filter=True,
        vad_parameters={"min_silence_duration_ms": 160, "max_speech_duration_s": 30},
        without_timestamps=True,
    )
    text = "".join(s.text for s in segments).strip()
    return time.perf_counter() - t0, text

print(json.dumps({"id": -1, "ready": True}), flush=True)
for line in sys.stdin:
    req = json.loads(line)
    try:
        if req.get("mode") == "speaches":
            seconds, text = speaches_defaults(req["file"])
            print(json.dumps({"id": req["id"], "seconds": seconds, "text": text}), flush=True)
            continue
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
