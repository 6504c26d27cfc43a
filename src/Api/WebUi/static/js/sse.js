// Server-Sent Events over fetch(): EventSource cannot send the Authorization header, so the stream is read and
// parsed here (the text/event-stream format: fields per line, an empty line ends an event).

import { authHeaders, readEnvelope, ApiError } from './api.js';
import { sleep } from './dom.js';

/** Incremental parser: push() text as it arrives, get back the complete events. */
export class SseParser {
  constructor() {
    this.buffer = '';
    this.event = {};
  }

  push(text) {
    this.buffer += text;
    const events = [];
    let newline;
    while ((newline = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const width = this.buffer.startsWith('\r\n', newline) ? 2 : 1;
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + width);
      if (line === '') {
        if (this.event.data !== undefined) events.push({ event: 'message', ...this.event });
        this.event = {};
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.event.data = this.event.data === undefined ? value : `${this.event.data}\n${value}`;
      else if (field === 'event') this.event.event = value;
      else if (field === 'id') this.event.id = value;
    }
    return events;
  }
}

/**
 * Follows a step's console (of a fan-out: its run on one node): onLine({line, content, timestamp}) for every line, onEnd({state, code, msg}) once the
 * step is final. A dropped stream is resumed after the last line seen (Last-Event-ID), so no line is lost or repeated.
 */
export async function followConsole(task, step, { onLine, onEnd, onError, signal, node }) {
  const url = `/api/v1/task/${encodeURIComponent(task)}/${encodeURIComponent(step)}/console${node ? `?node=${encodeURIComponent(node)}` : ''}`;
  let last = 0;
  while (!signal.aborted) {
    try {
      const headers = { Accept: 'text/event-stream', ...authHeaders() };
      if (last > 0) headers['Last-Event-ID'] = String(last);
      const response = await fetch(url, { headers, signal, cache: 'no-store' });
      if (!response.ok) {
        const envelope = await readEnvelope(response);
        throw new ApiError(response.status, envelope.code, envelope.message);
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const event of parser.push(value)) {
          if (event.event === 'line') {
            const line = JSON.parse(event.data);
            last = Number(event.id) || line.line;
            onLine(line);
          } else if (event.event === 'end') {
            onEnd(JSON.parse(event.data));
            return;
          }
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      onError(err);
      if (err instanceof ApiError && err.status >= 400 && err.status < 500) return;
    }
    await sleep(1000, signal);
  }
}
