"""openai-python's realtime clients against the server: client.realtime.connect (GA) and
beta_client.beta.realtime.connect (beta), each streaming a clip in 100 ms appends with a manual commit,
plus a bad event that must come back as an `error` event on a socket that stays usable.
Env: OPENAI_BASE_URL, OPENAI_API_KEY, PCM_FILE (pcm16 24 kHz mono), REAL_VAD (1: also server_vad).
Prints "N passed, M failed"; exits non-zero on any failure."""
import asyncio
import base64
import os
import re
import sys
import traceback

from openai import AsyncOpenAI

JFK = "and so my fellow americans ask not what your country can do for you ask what you can do for your country"
PCM = open(os.environ["PCM_FILE"], "rb").read()
CHUNK = 24000 * 2 // 10  # 100 ms
REAL_VAD = os.environ.get("REAL_VAD") == "1"
client = AsyncOpenAI()
# The beta client always builds a wss: URL from base_url; websocket_base_url is its documented override.
beta_client = AsyncOpenAI(websocket_base_url=os.environ["OPENAI_BASE_URL"].replace("http", "ws", 1))


def norm(s):
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", s.lower())).strip()


async def stream(conn, pcm, speed=4.0):
    for i in range(0, len(pcm), CHUNK):
        await conn.input_audio_buffer.append(audio=base64.b64encode(pcm[i : i + CHUNK]).decode())
        await asyncio.sleep(0.1 / speed)


async def collect(conn, until, n=1, timeout=90):
    """Events until `n` events of type `until` have arrived."""
    events = []

    async def run():
        async for event in conn:
            events.append(event)
            if sum(e.type == until for e in events) >= n:
                return

    await asyncio.wait_for(run(), timeout)
    return events


async def collect_turns(conn, quiet=4.0, timeout=90):
    """server_vad: events until every speech_stopped has its completed transcript and the server has
    been quiet for `quiet` seconds (the real VAD finds as many turns as the clip has pauses)."""
    events = []

    async def run():
        while True:
            try:
                event = await asyncio.wait_for(conn.recv(), quiet)
            except asyncio.TimeoutError:
                stops = sum(e.type == "input_audio_buffer.speech_stopped" for e in events)
                done = sum(e.type == "conversation.item.input_audio_transcription.completed" for e in events)
                if stops and done >= stops:
                    return
                continue
            events.append(event)

    await asyncio.wait_for(run(), timeout)
    return events


def wer(ref, hyp):
    """Word error rate of normalised strings (edit distance over words)."""
    r, h = ref.split(), hyp.split()
    row = list(range(len(h) + 1))
    for i, rw in enumerate(r, 1):
        prev, row[0] = row[0], i
        for j, hw in enumerate(h, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (rw != hw))
    return row[-1] / max(1, len(r))


def check_turns(events, max_wer=3 / 22):
    """The jfk sentence within max_wer. One manual turn allows 3 of its 22 words, as the openai-node
    test: its words are committed from greedy partials of the growing buffer, and two misreadings
    can stand, "and so am i" and "asked not" (CI saw both in one turn; issue 15's open streamed-WER
    gap, bench/results/commit-rule.md).
    server_vad cuts the clip into turns at its pauses, and tiny.en decodes a 2 s turn alone a little
    differently, so it allows more."""
    completed = [e for e in events if e.type == "conversation.item.input_audio_transcription.completed"]
    deltas = [e for e in events if e.type == "conversation.item.input_audio_transcription.delta"]
    assert completed, [e.type for e in events]
    for c in completed:
        joined = "".join(d.delta for d in deltas if d.item_id == c.item_id)
        assert joined == c.transcript, (joined, c.transcript)
    text = norm(" ".join(c.transcript for c in completed))
    if max_wer == 0:
        assert text == JFK, text
    else:
        assert wer(JFK, text) <= max_wer, (text, wer(JFK, text))
    assert not [e for e in events if e.type == "error"], [e for e in events if e.type == "error"]
    return completed


async def ga_manual():
    async with client.realtime.connect(model="whisper-1", extra_query={"intent": "transcription"}) as conn:
        first = await conn.recv()
        assert first.type == "session.created", first.type
        await conn.session.update(
            session={
                "type": "transcription",
                "audio": {
                    "input": {
                        "format": {"type": "audio/pcm", "rate": 24000},
                        "transcription": {"model": "whisper-1", "language": "en"},
                        "turn_detection": None,
                    }
                },
            }
        )
        updated = await conn.recv()
        assert updated.type == "session.updated", updated
        await stream(conn, PCM)
        await conn.input_audio_buffer.commit()
        events = await collect(conn, "conversation.item.done")
        completed = check_turns(events)
        assert completed[0].usage.type == "duration" and round(completed[0].usage.seconds) == 11, completed[0].usage
        assert any(e.type == "input_audio_buffer.committed" for e in events)


async def ga_server_vad():
    async with client.realtime.connect(model="whisper-1", extra_query={"intent": "transcription"}) as conn:
        await conn.recv()
        await conn.session.update(session={"type": "transcription", "audio": {"input": {"turn_detection": {"type": "server_vad"}}}})
        reply = await conn.recv()
        if not REAL_VAD:
            assert reply.type == "error" and reply.error.code == "vad_unavailable", reply
            return
        assert reply.type == "session.updated", reply
        await stream(conn, PCM + bytes(24000 * 2 * 2))
        events = await collect_turns(conn)
        assert sum(e.type == "input_audio_buffer.speech_started" for e in events) == sum(
            e.type == "input_audio_buffer.speech_stopped" for e in events
        ), [e.type for e in events]
        # 5 of 22 words, as the browser test: under a loaded suite an early partial's misread is
        # committed (4 of 22 seen). Issue 15's open streamed-WER gap.
        check_turns(events, 0.25)


async def beta_manual():
    async with beta_client.beta.realtime.connect(model="whisper-1", extra_query={"intent": "transcription"}) as conn:
        first = await conn.recv()
        assert first.type == "transcription_session.created", first.type
        await conn.transcription_session.update(
            session={"input_audio_format": "pcm16", "input_audio_transcription": {"model": "whisper-1"}, "turn_detection": None}
        )
        updated = await conn.recv()
        assert updated.type == "transcription_session.updated", updated
        await stream(conn, PCM)
        await conn.input_audio_buffer.commit()
        events = await collect(conn, "conversation.item.input_audio_transcription.completed")
        check_turns(events)


async def bad_event_keeps_socket():
    async with beta_client.beta.realtime.connect(model="whisper-1") as conn:
        await conn.recv()
        await conn.send({"type": "input_audio_buffer.append", "audio": "%%% not base64 %%%"})
        err = await conn.recv()
        assert err.type == "error" and err.error.code == "invalid_value" and err.error.param == "audio", err
        await conn.input_audio_buffer.commit()
        err = await conn.recv()
        assert err.type == "error" and err.error.code == "input_audio_buffer_commit_empty", err
        await conn.input_audio_buffer.clear()
        cleared = await conn.recv()
        assert cleared.type == "input_audio_buffer.cleared", cleared


async def main():
    passed = failed = 0
    for test in (ga_manual, ga_server_vad, beta_manual, bad_event_keeps_socket):
        try:
            await test()
            passed += 1
            print(f"ok   {test.__name__}")
        except Exception:
            failed += 1
            print(f"FAIL {test.__name__}")
            traceback.print_exc()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


asyncio.run(main())
