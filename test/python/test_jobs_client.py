"""The official `openai` PyPI client driving the async jobs API.

Driven by test/e2e/jobs-python.test.ts (OPENAI_BASE_URL, OPENAI_API_KEY, AUDIO_DIR). The SDK
has no jobs resource, so this is what a Python user writes: the transcription call with
`extra_headers={"Prefer": "respond-async"}`, and the client's generic get/post for the rest.
"""
import os
import re
import sys
import time

from openai import OpenAI, NotFoundError, BadRequestError

AUDIO_DIR = os.environ["AUDIO_DIR"]
JFK = "and so my fellow americans ask not what your country can do for you ask what you can do for your country"


def client() -> OpenAI:
    return OpenAI(max_retries=0, timeout=120)


def normalize(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def wait(c: OpenAI, job_id: str) -> dict:
    deadline = time.time() + 120
    while True:
        job = c.get(f"/audio/jobs/{job_id}", cast_to=object)
        if job["status"] in ("completed", "failed", "cancelled"):
            return job
        assert time.time() < deadline, job
        time.sleep(0.2)


def test_submit_with_extra_headers_then_poll_and_fetch_the_result():
    c = client()
    with open(os.path.join(AUDIO_DIR, "jfk.wav"), "rb") as f:
        raw = c.audio.transcriptions.with_raw_response.create(
            file=f, model="tiny.en", extra_headers={"Prefer": "respond-async", "Idempotency-Key": "py-jobs-1"}
        )
    assert raw.status_code == 202, raw.status_code
    job = raw.http_response.json()
    assert raw.headers["location"] == f"/v1/audio/jobs/{job['id']}", raw.headers
    assert raw.headers["preference-applied"] == "respond-async"
    assert job["object"] == "audio.job" and job["status"] in ("queued", "processing"), job
    done = wait(c, job["id"])
    assert done["status"] == "completed" and done["progress"] == 1, done
    assert abs(done["audio_seconds"] - 11) < 0.5, done
    result = c.get(f"/audio/jobs/{job['id']}/result", cast_to=object)
    assert normalize(result["text"]) == JFK, result


def test_generic_post_with_files_text_format_and_list():
    c = client()
    with open(os.path.join(AUDIO_DIR, "jfk.flac"), "rb") as f:
        job = c.post(
            "/audio/transcriptions",
            cast_to=object,
            body={"model": "tiny.en", "response_format": "text", "metadata[source]": "python"},
            files=[("file", ("jfk.flac", f.read(), "audio/flac"))],
            options={"headers": {"Content-Type": "multipart/form-data", "Prefer": "respond-async"}},
        )
    assert job["metadata"] == {"source": "python"}, job
    assert wait(c, job["id"])["status"] == "completed"
    text = c.get(f"/audio/jobs/{job['id']}/result", cast_to=str)
    assert normalize(text) == JFK, text
    page = c.get("/audio/jobs", cast_to=object, options={"params": {"limit": 1}})
    assert page["object"] == "list" and page["data"][0]["id"] == job["id"] and page["has_more"] is True, page


def test_typed_errors_for_jobs():
    c = client()
    try:
        c.get("/audio/jobs/job_00000000000000000000000000", cast_to=object)
        raise AssertionError("expected NotFoundError")
    except NotFoundError as e:
        assert e.body["code"] == "job_not_found", e.body
    try:
        c.post("/audio/transcriptions", cast_to=object, body={"model": "tiny.en", "audio_url": "http://169.254.169.254/x"},
               files=[], options={"headers": {"Content-Type": "multipart/form-data", "Prefer": "respond-async"}})
        raise AssertionError("expected BadRequestError")
    except BadRequestError as e:
        assert e.body["param"] == "audio_url", e.body


if __name__ == "__main__":
    tests = [v for k, v in list(globals().items()) if k.startswith("test_")]  # file order: the list test counts the first job
    failed = 0
    for t in tests:
        try:
            t()
            print(f"PASS {t.__name__}")
        except Exception as e:  # noqa: BLE001 - report every failure, then exit non-zero
            failed += 1
            print(f"FAIL {t.__name__}: {e!r}")
    print(f"{len(tests) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
