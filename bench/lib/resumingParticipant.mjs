// One side of a live session as the soak drives it: a WebSocket client that reconnects after
// every drop (to whichever instance `pickUrl` names then), resumes with the last seq it saw,
// and re-sends each message not yet acknowledged under its first id, as the real clients do.
// It checks what the server promises on the way: every persisted event arrives exactly once and
// in seq order across all its connections, and an id is acknowledged with one seq only.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { wsUrl } from '../../packages/server/test/support/wsClient.ts';
import { helloFrame } from './hello.mjs';

const BACKOFF_MS = [100, 250, 500, 1000, 2000];

export class ResumingParticipant {
  /** Persisted events seen, in arrival order: { seq, type, text }. */
  events = [];
  lastSeq = 0;
  /** id → { type, text, seq? }, in the order sent; `seq` once acknowledged. */
  sent = new Map();
  connects = 0;
  drops = 0;
  /** Violations of the server's promises, as sentences. */
  violations = [];

  /**
   * @param {object} o
   * @param {string} o.label  e.g. "task 3 customer", for violation messages
   * @param {'customer' | 'engineer'} o.role
   * @param {string} o.taskId
   * @param {string} o.token
   * @param {() => string} o.pickUrl  the base URL of the instance to (re)connect to
   */
  constructor({ label, role, taskId, token, pickUrl }) {
    Object.assign(this, { label, role, taskId, token, pickUrl });
    this.ws = null;
    this.welcomed = false;
    this.stopped = false;
    this.attempt = 0;
  }

  start() {
    const url = wsUrl(this.pickUrl(), this.taskId);
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${this.token}` } });
    this.ws = ws;
    this.welcomed = false;
    ws.on('open', () => ws.send(helloFrame(this.lastSeq)));
    ws.on('message', (data) => this.receive(JSON.parse(String(data))));
    ws.on('error', () => {});
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.welcomed = false;
      if (this.stopped) return;
      const base = BACKOFF_MS[Math.min(this.attempt++, BACKOFF_MS.length - 1)];
      setTimeout(() => this.start(), base / 2 + Math.random() * base);
    });
  }

  receive(frame) {
    if (frame.type === 'welcome') {
      this.welcomed = true;
      this.attempt = 0;
      this.connects++;
      for (const [id, m] of this.sent) if (m.seq === undefined) this.transmit(id, m);
      return;
    }
    if (frame.type === 'ack') return this.acked(frame.payload.id, frame.payload.seq);
    if (frame.type === 'error') {
      this.violations.push(`${this.label}: error ${frame.payload.code}: ${frame.payload.message}`);
      return;
    }
    if (frame.seq === undefined) return;
    if (frame.seq !== this.lastSeq + 1) {
      const what = frame.seq <= this.lastSeq ? 'duplicate' : 'gap';
      this.violations.push(`${this.label}: ${what}: seq ${frame.seq} after ${this.lastSeq}`);
      if (frame.seq <= this.lastSeq) return;
    }
    this.lastSeq = frame.seq;
    this.events.push({ seq: frame.seq, type: frame.type, text: frame.payload?.text });
  }

  acked(id, seq) {
    const m = this.sent.get(id);
    if (!m) return this.violations.push(`${this.label}: ack for an id never sent: ${id}`);
    if (m.seq !== undefined && m.seq !== seq) {
      this.violations.push(`${this.label}: id ${id} acknowledged as seq ${m.seq}, then as seq ${seq}`);
    }
    m.seq = seq;
  }

  /** Sends a chat message now, or on the next welcome if disconnected. */
  say(text) {
    const id = randomUUID();
    const m = { type: this.role === 'customer' ? 'customer_message' : 'engineer_message', text };
    this.sent.set(id, m);
    if (this.welcomed) this.transmit(id, m);
  }

  transmit(id, m) {
    this.ws.send(JSON.stringify({ type: m.type, id, timestamp: new Date().toISOString(), payload: { text: m.text } }));
  }

  /** Cuts the connection without a close handshake, as a network drop does. */
  drop() {
    if (!this.ws) return false;
    this.drops++;
    this.ws.terminate();
    return true;
  }

  unacked() {
    let n = 0;
    for (const m of this.sent.values()) if (m.seq === undefined) n++;
    return n;
  }

  stop() {
    this.stopped = true;
    this.ws?.close();
  }
}
