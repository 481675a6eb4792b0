// Browser demo: microphone at 24 kHz → pcm16 base64 appends every 100 ms over the realtime
// WebSocket (GA dialect); deltas and completed transcripts are shown per turn.
const $ = (id) => document.getElementById(id);
const status = (text, isError = false) => {
  $('status').textContent = text;
  $('status').className = isError ? 'error' : '';
};

let ws, ctx, stream, node, pending = [], pendingSamples = 0, sentSamples = 0;
const turns = new Map();

function line(itemId) {
  let p = turns.get(itemId);
  if (!p) {
    p = document.createElement('p');
    p.className = 'partial';
    p.dataset.item = itemId;
    $('transcript').append(p);
    turns.set(itemId, p);
  }
  return p;
}

function toBase64Pcm16(chunks, total) {
  const bytes = new Uint8Array(total * 2);
  const view = new DataView(bytes.buffer);
  let o = 0;
  for (const c of chunks) for (const s of c) { view.setInt16(o, Math.max(-1, Math.min(1, s)) * 0x7fff, true); o += 2; }
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

function onEvent(e) {
  switch (e.type) {
    case 'session.created': status(`Connected (session ${e.session.id}). Speak.`); break;
    case 'session.updated': status(e.session.audio.input.turn_detection ? 'Listening (server VAD)…' : 'Listening; press "Commit turn" after speaking.'); break;
    case 'input_audio_buffer.speech_started': line(e.item_id); status('Speech…'); break;
    case 'input_audio_buffer.speech_stopped': status('Transcribing…'); break;
    case 'conversation.item.input_audio_transcription.delta': line(e.item_id).textContent += e.delta; break;
    case 'conversation.item.input_audio_transcription.completed': {
      const p = line(e.item_id);
      p.textContent = e.transcript;
      p.className = 'final';
      status('Listening…');
      break;
    }
    case 'conversation.item.input_audio_transcription.failed': line(e.item_id).textContent = `(failed: ${e.error.message})`; break;
    case 'error': status(`Error: ${e.error.message}`, true); break;
  }
}

async function start() {
  $('start').disabled = true;
  const key = $('key').value.trim();
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const protocols = ['realtime', ...(key ? [`openai-insecure-api-key.${key}`] : [])];
  ws = new WebSocket(`${scheme}://${location.host}/v1/realtime?intent=transcription`, protocols);
  ws.onmessage = (m) => onEvent(JSON.parse(m.data));
  ws.onclose = (e) => { status(`Disconnected (${e.code}${e.reason ? `: ${e.reason}` : ''}).`, e.code !== 1000); stop(false); };
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error('WebSocket failed (wrong key?)')); });
  const manual = $('mode').value === 'manual';
  ws.send(JSON.stringify({
    type: 'session.update',
    session: {
      type: 'transcription',
      audio: { input: { format: { type: 'audio/pcm', rate: 24000 }, transcription: { model: $('model').value || 'whisper-1' }, turn_detection: manual ? null : { type: 'server_vad' } } },
    },
  }));
  stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
  ctx = new AudioContext({ sampleRate: 24000 });
  await ctx.audioWorklet.addModule('pcm-worklet.js');
  node = new AudioWorkletNode(ctx, 'pcm-tap');
  node.port.onmessage = ({ data }) => {
    pending.push(data);
    pendingSamples += data.length;
    if (pendingSamples >= 2400 && ws?.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: toBase64Pcm16(pending, pendingSamples) }));
      sentSamples += pendingSamples;
      document.body.dataset.sentSeconds = (sentSamples / 24000).toFixed(1);
      pending = [];
      pendingSamples = 0;
    }
  };
  ctx.createMediaStreamSource(stream).connect(node);
  $('stop').disabled = false;
  $('commit').disabled = !manual;
}

function stop(close = true) {
  stream?.getTracks().forEach((t) => t.stop());
  ctx?.close();
  ctx = stream = node = undefined;
  if (close && ws?.readyState === WebSocket.OPEN) {
    if ($('mode').value === 'manual') ws.send(JSON.stringify({ type: 'input_audio_buffer.commit' }));
    // Let the last turn finish before closing.
    setTimeout(() => ws?.close(1000), 15000);
  }
  $('start').disabled = false;
  $('stop').disabled = $('commit').disabled = true;
}

$('start').onclick = () => start().catch((err) => { status(err.message, true); stop(); });
$('stop').onclick = () => stop();
$('commit').onclick = () => ws?.send(JSON.stringify({ type: 'input_audio_buffer.commit' }));
