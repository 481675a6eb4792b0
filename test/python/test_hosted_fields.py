"""The hosted API's newer fields with the official `openai` PyPI client.

Driven by test/e2e/hosted-fields-python.test.ts (real server, real tiny.en): include[]=logprobs,
keywords[], languages[], gpt-4o-transcribe-diarize (diarized_json plain and streamed, on a
stereo file split by channel) and its refusals. Runs as a plain script, like test_openai_client.py.
"""
import base64
import os
import re
import sys

import openai
from openai import OpenAI

AUDIO_DIR = os.environ["AUDIO_DIR"]


def client() -> OpenAI:
    return OpenAI(max_retries=0, timeout=120)


def audio(name: str):
    return open(os.path.join(AUDIO_DIR, name), "rb")


def check_speakers(segments):
    left = [s for s in segments if re.search(r"complaint|wizard", s.text, re.I)]
    right = [s for s in segments if re.search(r"horizon|distant", s.text, re.I)]
    assert left and right, segments
    assert {s.speaker for s in segments} == {"A", "B"}, segments
    assert len({s.speaker for s in left}) == 1 and len({s.speaker for s in right}) == 1, segments
    assert left[0].speaker != right[0].speaker, segments


def test_logprobs_spell_the_text():
    with audio("jfk.wav") as f:
        r = client().audio.transcriptions.create(file=f, model="tiny.en", include=["logprobs"])
    assert len(r.logprobs) > 15, r
    assert "".join(l.token for l in r.logprobs) == r.text, r
    # openai-python types `bytes` as List[float]: the ints arrive as floats.
    assert all(l.logprob <= 0 and bytes(int(b) for b in l.bytes).decode() == l.token for l in r.logprobs), r.logprobs


def test_logprobs_streamed():
    with audio("jfk.wav") as f:
        events = list(client().audio.transcriptions.create(file=f, model="tiny.en", include=["logprobs"], stream=True))
    deltas = [e for e in events if e.type == "transcript.text.delta"]
    assert deltas and all("".join(l.token for l in d.logprobs) == d.delta for d in deltas), deltas
    done = events[-1]
    assert done.type == "transcript.text.done" and "".join(l.token for l in done.logprobs) == done.text, done


def test_keywords_fix_a_word():
    with audio("fw_hotwords.mp3") as f:
        plain = client().audio.transcriptions.create(file=f, model="tiny.en")
    assert "comfyui" not in plain.text.lower(), plain.text
    with audio("fw_hotwords.mp3") as f:
        guided = client().audio.transcriptions.create(file=f, model="tiny.en", keywords=["ComfyUI"])
    assert len(re.findall("ComfyUI", guided.text)) == 2, guided.text


def test_languages_come_back():
    with audio("jfk.wav") as f:
        r = client().audio.transcriptions.create(file=f, model="tiny.en", languages=["en"])
    assert [l.code for l in r.languages] == ["en"], r
    # English speech, but only German or French allowed: identification picks one of them.
    with audio("jfk.wav") as f:
        r = client().audio.transcriptions.create(file=f, model="base", languages=["de", "fr"])
    assert r.languages[0].code in ("de", "fr"), r


def test_diarized_json_by_channel():
    with audio("fw_stereo_diarization.wav") as f:
        r = client().audio.transcriptions.create(file=f, model="gpt-4o-transcribe-diarize", response_format="diarized_json")
    assert type(r).__name__ == "TranscriptionDiarized", type(r)
    assert r.task == "transcribe" and r.duration == 5, r
    assert all(s.type == "transcript.text.segment" for s in r.segments), r.segments
    check_speakers(r.segments)


def test_diarized_stream():
    with audio("fw_stereo_diarization.wav") as f:
        events = list(client().audio.transcriptions.create(
            file=f, model="gpt-4o-transcribe-diarize", response_format="diarized_json", stream=True))
    segments = [e for e in events if e.type == "transcript.text.segment"]
    check_speakers(segments)
    assert events[-1].type == "transcript.text.done", events[-1]


def falcon_reference():
    rows = [line.split("\t") for line in open(os.path.join(AUDIO_DIR, "diarization.tsv")).read().strip().split("\n")[1:]]
    return [(float(r[1]), float(r[2]), r[3]) for r in rows if r[0] == "picovoice_falcon_3speakers.wav"]


def test_diarized_json_mono_three_speakers():
    """The real speaker models (fetch-test): each reference turn is mostly one label, three labels in all."""
    with audio("picovoice_falcon_3speakers.wav") as f:
        r = client().audio.transcriptions.create(
            file=f, model="gpt-4o-transcribe-diarize", response_format="diarized_json", chunking_strategy="auto")
    assert {s.speaker for s in r.segments} == {"A", "B", "C"}, r.segments
    turn_label = {}
    for start, end, who in falcon_reference():
        inside = [s for s in r.segments if min(s.end, end) - max(s.start, start) > 0.5]
        labels = {s.speaker for s in inside}
        assert len(labels) == 1, (start, end, inside)
        turn_label.setdefault(who, labels.pop())
    assert len(set(turn_label.values())) == 3, turn_label


def test_diarize_refusals():
    cases = [
        (dict(prompt="hi"), "prompt"),
        (dict(include=["logprobs"], response_format="json"), "include"),
        (dict(timestamp_granularities=["segment"]), "timestamp_granularities"),
        (dict(known_speaker_names=["agent"], known_speaker_references=["data:audio/wav;base64"]), "known_speaker_references"),
        (dict(known_speaker_names=["a", "b"],
              known_speaker_references=["data:audio/wav;base64," + base64.b64encode(b"x").decode()]), "known_speaker_references"),
    ]
    for extra, param in cases:
        try:
            with audio("fw_stereo_diarization.wav") as f:
                client().audio.transcriptions.create(file=f, model="gpt-4o-transcribe-diarize", **{"response_format": "diarized_json", **extra})
            raise AssertionError(f"expected BadRequestError for {extra}")
        except openai.BadRequestError as e:
            assert e.body["param"] == param, (extra, e.body)


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
