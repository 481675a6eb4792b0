// The Live tab (the former /demo): microphone at 24 kHz → pcm16 base64 appends every 100 ms over
// the realtime WebSocket (GA dialect); deltas and completed transcripts are shown per turn.
// Browsers cannot set headers on a WebSocket, so the credential travels as the subprotocol
// `openai-insecure-api-key.<secret>`: an ephemeral `ek_` secret from
// POST /v1/realtime/client_secrets when the server has that route, else the typed key itself.
import { ApiError, api, getKey } from './api.js';

const $ = (id) => document.getElementById(id);
const status = (text, isError = false) => {
  $('live-status').textContent = text;
  $('live-status').className = isError ? 'error' : 'muted';
};

let ws, ctx, stream, node, pending = [], pendingSamples = 0, sentSamples = 0;
const turns = new Map();

function line(itemId) {
  let p = turns.get(itemId);
  if (!p) {
    p = document.createElement('p');
    p.className = 'partial';
    p.dataset.item = itemId;
    $('live-transcript').append(p);
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

/**
 * The subprotocol credential: a client secret when the server mints them. A refused key (401)
 * is the user's to fix; any other failure (404: a server without the route) falls back to the
 * key itself, checked first, because a refused WebSocket upgrade reaches the page only as an
 * anonymous close.
 */
async function credential() {
  const key = getKey();
  try {
    const secret = await api('/v1/realtime/client_secrets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ session: { type: 'transcription' } }),
    });
    const value = secret.value ?? secret.client_secret?.value;
    if (value) return value;
  } catch (err) {
    if (!(err instanceof ApiError) || err.isAuth) throw err;
  }
  await api('/v1/models');
  return key;
}

async function start() {
  $('live-start').disabled = true;
  status('Connecting…');
  const secret = await credential();
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const protocols = ['realtime', ...(secret ? [`openai-insecure-api-key.${secret}`] : [])];
  ws = new WebSocket(`${scheme}://${location.host}/v1/realtime?intent=transcription`, protocols);
  ws.onmessage = (m) => onEvent(JSON.parse(m.data));
  ws.onclose = (e) => { status(`Disconnected (${e.code}${e.reason ? `: ${e.reason}` : ''}).`, e.code !== 1000); stop(false); };
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error('The WebSocket connection failed.')); });
  const manual = $('live-mode').value === 'manual';
  ws.send(JSON.stringify({
    type: 'session.update',
    session: {
      type: 'transcription',
      audio: { input: { format: { type: 'audio/pcm', rate: 24000 }, transcription: { model: $('live-model').value || 'whisper-1' }, turn_detection: manual ? null : { type: 'server_vad' } } },
    },
  }));
  stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
  ctx = new AudioContext({ sampleRate: 24000 });
  await ctx.audioWorklet.addModule('/playground/pcm-worklet.js');
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
  $('live-stop').disabled = false;
  $('live-commit').disabled = !manual;
}

function stop(close = true) {
  stream?.getTracks().forEach((t) => t.stop());
  ctx?.close();
  ctx = stream = node = undefined;
  if (close && ws?.readyState === WebSocket.OPEN) {
    if ($('live-mode').value === 'manual') ws.send(JSON.stringify({ type: 'input_audio_buffer.commit' }));
    // Let the last turn finish before closing.
    setTimeout(() => ws?.close(1000), 15000);
  }
  $('live-start').disabled = false;
  $('live-stop').disabled = $('live-commit').disabled = true;
}

export function initLive() {
  $('live-start').onclick = () => start().catch((err) => { status(err.message, true); stop(); });
  $('live-stop').onclick = () => stop();
  $('live-commit').onclick = () => ws?.send(JSON.stringify({ type: 'input_audio_buffer.commit' }));
}
