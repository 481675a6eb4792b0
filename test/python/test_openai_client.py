"""The official `openai` PyPI client against a running server.

Driven by test/e2e/python-client.test.ts, which starts the server and passes
OPENAI_BASE_URL, OPENAI_API_KEY and AUDIO_DIR. Runs under pytest, or as a plain
script (python3 test_openai_client.py), so CI needs only `pip install openai`.
"""
import os
import re
import sys

import openai
from openai import OpenAI

AUDIO_DIR = os.environ.get("AUDIO_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "audio"))
JFK = "and so my fellow americans ask not what your country can do for you ask what you can do for your country"


def client() -> OpenAI:
    # base_url and api_key come from OPENAI_BASE_URL / OPENAI_API_KEY.
    return OpenAI(max_retries=0, timeout=120)


def normalize(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def audio(name: str):
    return open(os.path.join(AUDIO_DIR, name), "rb")


def test_json():
    with audio("jfk.wav") as f:
        r = client().audio.transcriptions.create(file=f, model="whisper-1")
    assert normalize(r.text) == JFK, r.text
    assert r.usage.type == "duration" and r.usage.seconds == 11, r.usage


def test_text_srt_vtt_are_strings():
    for fmt, pattern in (("text", r"^And so"), ("srt", r"^1\n00:00:0"), ("vtt", r"^WEBVTT\n\n")):
        with audio("jfk.wav") as f:
            r = client().audio.transcriptions.create(file=f, model="tiny.en", response_format=fmt)
        assert isinstance(r, str), (fmt, type(r))
        assert re.match(pattern, r), (fmt, r[:80])


def test_verbose_json_with_words_and_segments():
    with audio("jfk.flac") as f:
        r = client().audio.transcriptions.create(
            file=f,
            model="tiny.en",
            response_format="verbose_json",
            timestamp_granularities=["word", "segment"],
        )
    assert r.language == "english", r.language
    assert abs(r.duration - 11) < 0.2, r.duration
    assert r.segments and r.segments[0].avg_logprob <= 0
    assert normalize(" ".join(w.word for w in r.words)) == JFK


def test_stream():
    with audio("jfk.wav") as f:
        stream = client().audio.transcriptions.create(file=f, model="tiny.en", stream=True)
        events = list(stream)
    kinds = [e.type for e in events]
    assert kinds[-1] == "transcript.text.done" and "transcript.text.delta" in kinds, kinds
    assert "".join(e.delta for e in events if e.type == "transcript.text.delta") == events[-1].text


def test_translation_with_multilingual_model():
    with audio("picovoice_test_de.wav") as f:
        r = client().audio.translations.create(file=f, model="base")
    assert re.search(r"\b(the|room|portal|hall)\b", r.text, re.I), r.text


def test_models():
    ids = [m.id for m in client().models.list()]
    assert {"tiny.en", "whisper-1"} <= set(ids), ids
    assert client().models.retrieve("whisper-1").id == "whisper-1"


def test_typed_errors():
    try:
        client().audio.transcriptions.create(file=("notes.mp3", b"not audio"), model="tiny.en")
        raise AssertionError("expected BadRequestError")
    except openai.BadRequestError as e:
        assert e.body["param"] == "file", e.body
    try:
        with audio("jfk.wav") as f:
            client().audio.transcriptions.create(file=f, model="large-v9")
        raise AssertionError("expected NotFoundError")
    except openai.NotFoundError as e:
        assert e.body["code"] == "model_not_found", e.body
    try:
        OpenAI(api_key="sk-wrong", max_retries=0).models.list()
        raise AssertionError("expected AuthenticationError")
    except openai.AuthenticationError:
        pass


if __name__ == "__main__":
    tests = [(name, fn) for name, fn in sorted(globals().items()) if name.startswith("test_") and callable(fn)]
    failed = 0
    for name, fn in tests:
        try:
            fn()
            print(f"ok   {name}")
        except Exception as e:  # report every test, then fail the run
            failed += 1
            print(f"FAIL {name}: {e!r}")
    print(f"{len(tests) - failed} passed, {failed} failed (openai {openai.__version__})")
    sys.exit(1 if failed else 0)
