"""Locust scenarios for the whisper server (driven by loadtest/run.ts, or by locust directly).

Scenarios (LOADTEST_SCENARIO): sync-json, sync-verbose, sse, async-poll, realtime, mixed.
Every user is closed-loop (the next request goes out when the last one ends), so "users" is the
number of requests in flight. Clips are English speech of mixed lengths from test/fixtures/audio.
Targets must be loopback: this tool is for sizing one machine, never for hitting someone else's.

LOADTEST_HOSTS  comma-separated base URLs (round-robin per request: 2 replicas without a balancer)
LOADTEST_SUMMARY  where to write audio-seconds and status counts (JSON) when the run stops
AUDIO_DIR  the clips (default test/fixtures/audio)
LOADTEST_REALTIME_SPEED  realtime: audio seconds sent per wall second (default 1, as a live microphone)
"""
import base64
import csv
import itertools
import json
import os
import random
import subprocess
import time
from urllib.parse import urlparse

from locust import HttpUser, constant, events, task

SCENARIO = os.environ.get("LOADTEST_SCENARIO", "sync-json")
HOSTS = [h.strip().rstrip("/") for h in os.environ.get("LOADTEST_HOSTS", "").split(",") if h.strip()]
MODEL = os.environ.get("LOADTEST_MODEL", "whisper-1")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AUDIO_DIR = os.environ.get("AUDIO_DIR", os.path.join(ROOT, "test", "fixtures", "audio"))
POLL_SECONDS = float(os.environ.get("LOADTEST_POLL_SECONDS", "0.25"))
ASYNC_TIMEOUT_SECONDS = float(os.environ.get("LOADTEST_ASYNC_TIMEOUT", "120"))
REALTIME_SPEED = float(os.environ.get("LOADTEST_REALTIME_SPEED", "1"))
REALTIME_CHUNK = 24000 * 2 // 10  # 100 ms of pcm16 at 24 kHz

# (file, weight): short 1.5-3.4 s, medium 5.9-11 s, long 13-20 s.
MIX = [
    ("ljspeech_LJ002-0020.wav", 3), ("sr_english.wav", 3), ("ps_forever_input_2_16k.wav", 2),
    ("picovoice_test.wav", 3), ("ljspeech_LJ050-0131.wav", 2), ("ljspeech_LJ002-0035.wav", 2), ("jfk.wav", 2),
    ("jfk.mp3", 1), ("librispeech_1272-141231-0002.flac", 1), ("librispeech_2412-153948-0000.flac", 1),
]
MIME = {".wav": "audio/wav", ".mp3": "audio/mpeg", ".flac": "audio/flac"}


def _load_clips():
    with open(os.path.join(AUDIO_DIR, "transcripts.tsv"), newline="") as f:
        durations = {row["file"]: float(row["duration_s"]) for row in csv.DictReader(f, delimiter="\t")}
    clips = []
    for name, weight in MIX:
        with open(os.path.join(AUDIO_DIR, name), "rb") as f:
            data = f.read()
        clip = {"name": name, "data": data, "seconds": durations[name], "mime": MIME[os.path.splitext(name)[1]], "weight": weight}
        if SCENARIO == "realtime":
            # The realtime API takes pcm16 at 24 kHz mono; ffmpeg converts once, at start.
            clip["pcm"] = subprocess.run(["ffmpeg", "-v", "error", "-i", "-", "-ac", "1", "-ar", "24000", "-f", "s16le", "-"],
                                         input=data, capture_output=True, check=True).stdout
        clips.append(clip)
    return clips


def _check_loopback(urls):
    for url in urls:
        host = urlparse(url).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(f"loadtest: refusing non-loopback target {url}")


_check_loopback(HOSTS)
CLIPS = _load_clips()
WEIGHTS = [c["weight"] for c in CLIPS]
# Per run: what run.ts reports (latencies of the successful main operation, in ms).
STATS = {"audio_seconds": 0.0, "requests": 0, "ok": 0, "status": {}, "latencies_ms": [], "started": time.time()}
_rr = itertools.count()


def _record(status, t0, clip_seconds=None):
    STATS["requests"] += 1
    STATS["status"][str(status)] = STATS["status"].get(str(status), 0) + 1
    if clip_seconds is not None:
        STATS["ok"] += 1
        STATS["audio_seconds"] += clip_seconds
        STATS["latencies_ms"].append((time.perf_counter() - t0) * 1000)


@events.test_start.add_listener
def _on_start(environment, **_):
    _check_loopback(HOSTS or [environment.host or ""])
    STATS["started"] = time.time()


@events.test_stop.add_listener
def _on_stop(environment, **_):
    path = os.environ.get("LOADTEST_SUMMARY")
    if path:
        STATS["elapsed"] = time.time() - STATS["started"]
        with open(path, "w") as f:
            json.dump(STATS, f)


class WhisperUser(HttpUser):
    wait_time = constant(0)
    host = HOSTS[0] if HOSTS else "http://127.0.0.1:8000"

    def _base(self):
        return HOSTS[next(_rr) % len(HOSTS)] if HOSTS else ""

    def _clip(self):
        return random.choices(CLIPS, weights=WEIGHTS)[0]

    def _form(self, clip, **fields):
        return {"model": MODEL, **fields}, {"file": (clip["name"], clip["data"], clip["mime"])}

    def _sync(self, response_format):
        clip = self._clip()
        data, files = self._form(clip, response_format=response_format)
        t0 = time.perf_counter()
        with self.client.post(f"{self._base()}/v1/audio/transcriptions", data=data, files=files,
                              name=f"sync {response_format}", catch_response=True) as r:
            ok = r.status_code == 200 and (response_format != "verbose_json" or "segments" in r.json())
            _record(r.status_code, t0, clip["seconds"] if ok else None)
            if not ok:
                r.failure(f"HTTP {r.status_code}")

    def _sse(self):
        clip = self._clip()
        data, files = self._form(clip, stream="true")
        t0 = time.perf_counter()
        first = None
        done = False
        with self.client.post(f"{self._base()}/v1/audio/transcriptions", data=data, files=files, stream=True,
                              name="sse stream", catch_response=True) as r:
            if r.status_code == 200:
                for line in r.iter_lines():
                    if not line:
                        continue
                    if first is None:
                        first = time.perf_counter() - t0
                    if line == b"data: [DONE]":
                        done = True
                        break
            _record(r.status_code, t0, clip["seconds"] if done else None)
            if not done:
                r.failure(f"HTTP {r.status_code}" if r.status_code != 200 else "stream ended without [DONE]")
        if first is not None:
            events.request.fire(request_type="SSE", name="sse first event", response_time=first * 1000,
                                response_length=0, exception=None, context={})

    def _async(self):
        clip = self._clip()
        base = self._base()
        data, files = self._form(clip)
        t0 = time.perf_counter()
        with self.client.post(f"{base}/v1/audio/transcriptions", data=data, files=files, headers={"Prefer": "respond-async"},
                              name="async submit", catch_response=True) as r:
            if r.status_code != 202:
                _record(r.status_code, t0)
                r.failure(f"HTTP {r.status_code}")
                return
            job_id = r.json()["id"]
        status = "queued"
        while status in ("queued", "processing") and time.perf_counter() - t0 < ASYNC_TIMEOUT_SECONDS:
            time.sleep(POLL_SECONDS)
            # Polls alternate replicas too: any replica must answer for any job.
            with self.client.get(f"{self._base()}/v1/audio/jobs/{job_id}", name="async poll", catch_response=True) as p:
                if p.status_code != 200:
                    p.failure(f"HTTP {p.status_code}")
                    continue
                status = p.json()["status"]
        ok = status == "completed"
        if ok:
            with self.client.get(f"{self._base()}/v1/audio/jobs/{job_id}/result", name="async result", catch_response=True) as res:
                ok = res.status_code == 200
                if not ok:
                    res.failure(f"HTTP {res.status_code}")
        _record(202 if ok else f"job {status}", t0, clip["seconds"] if ok else None)
        events.request.fire(request_type="JOB", name="async end-to-end", response_time=(time.perf_counter() - t0) * 1000,
                            response_length=0, exception=None if ok else Exception(f"job ended {status}"), context={})

    def _realtime(self):
        """One manual-commit turn: stream the clip at REALTIME_SPEED, commit, time commit → completed."""
        from websockets.sync.client import connect  # only this scenario needs it

        clip = self._clip()
        base = self._base() or self.host
        url = base.replace("http", "ws", 1) + "/v1/realtime?intent=transcription"
        t0 = time.perf_counter()
        status, ok = "error", False
        try:
            with connect(url, open_timeout=10, close_timeout=2, max_size=2 ** 24) as ws:
                ws.send(json.dumps({"type": "session.update", "session": {"type": "transcription", "audio": {"input": {
                    "format": {"type": "audio/pcm", "rate": 24000}, "turn_detection": None}}}}))
                pcm = clip["pcm"]
                for i in range(0, len(pcm), REALTIME_CHUNK):
                    ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": base64.b64encode(pcm[i:i + REALTIME_CHUNK]).decode()}))
                    time.sleep(0.1 / REALTIME_SPEED)
                t0 = time.perf_counter()
                ws.send(json.dumps({"type": "input_audio_buffer.commit"}))
                deadline = t0 + ASYNC_TIMEOUT_SECONDS
                while time.perf_counter() < deadline:
                    event = json.loads(ws.recv(timeout=max(0.1, deadline - time.perf_counter())))
                    if event["type"].endswith("input_audio_transcription.completed"):
                        status, ok = "completed", True
                        break
                    elif event["type"] == "error":
                        # A full server refuses the session (session_limit_reached): count it as the 429 it stands for.
                        code = event["error"].get("code")
                        status = "429" if code == "session_limit_reached" else f"error {code}"
                        break
        except Exception as err:  # connection refused or closed, timeout
            status = f"error {type(err).__name__}"
        elapsed_ms = (time.perf_counter() - t0) * 1000
        _record(status, t0, clip["seconds"] if ok else None)
        events.request.fire(request_type="WS", name="realtime commit to completed", response_time=elapsed_ms,
                            response_length=0, exception=None if ok else Exception(status), context={})

    @task
    def transcribe(self):
        if SCENARIO == "sync-json":
            self._sync("json")
        elif SCENARIO == "sync-verbose":
            self._sync("verbose_json")
        elif SCENARIO == "sse":
            self._sse()
        elif SCENARIO == "async-poll":
            self._async()
        elif SCENARIO == "realtime":
            self._realtime()
        elif SCENARIO == "mixed":
            random.choice([lambda: self._sync("json"), lambda: self._sync("verbose_json"), self._sse])()
        else:
            raise SystemExit(f"loadtest: unknown scenario {SCENARIO}")
