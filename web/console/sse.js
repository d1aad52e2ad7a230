// Server-Sent Events over fetch(). EventSource cannot send an Authorization header, and no
// long-lived token may travel in a URL, so the stream is read with fetch() and parsed here
// following the WHATWG event-stream rules: lines end with CRLF, LF or CR; `:` starts a comment
// (the server's heartbeat); `data:` lines join with "\n"; a blank line ends the event.

/** Incremental event-stream parser: push() decoded text in any chunking. */
export class SseParser {
  /**
   * @param {(event: {type: string, data: string, id: string}) => void} onEvent
   * @param {(text: string) => void} [onComment]
   */
  constructor(onEvent, onComment = () => {}) {
    this.onEvent = onEvent;
    this.onComment = onComment;
    this.buffer = '';
    this.skipLf = false;
    this.started = false;
    this.data = [];
    this.type = '';
    /** The last `id:` seen, kept across events as the spec says. */
    this.lastEventId = '';
    /** The server's `retry:` in milliseconds, if it sent one. */
    this.retry = null;
  }

  push(text) {
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    for (let i = 0; i < text.length; i += 1) {
      const c = text[i];
      if (c === '\n' && this.skipLf && i === start && this.buffer === '') {
        // The LF of a CRLF split over two chunks.
        start = i + 1;
        this.skipLf = false;
        continue;
      }
      this.skipLf = false;
      if (c === '\r' || c === '\n') {
        this.line(this.buffer + text.slice(start, i));
        this.buffer = '';
        if (c === '\r') {
          if (text[i + 1] === '\n') i += 1;
          else if (i + 1 === text.length) this.skipLf = true;
        }
        start = i + 1;
      }
    }
    this.buffer += text.slice(start);
  }

  line(line) {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) {
      this.onComment(line.slice(1).replace(/^ /, ''));
      return;
    }
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'data') this.data.push(value);
    else if (name === 'event') this.type = value;
    else if (name === 'id') {
      if (!value.includes('\0')) this.lastEventId = value;
    } else if (name === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
  }

  dispatch() {
    const {data, type} = this;
    this.data = [];
    this.type = '';
    if (data.length === 0) return;
    this.onEvent({type: type || 'message', data: data.join('\n'), id: this.lastEventId});
  }
}

/** Why a stream could not be used: `unauthorized` (401), `unavailable` (no stream here). */
export class StreamError extends Error {
  constructor(kind, status, message) {
    super(message);
    this.name = 'StreamError';
    this.kind = kind;
    this.status = status;
  }
}

/**
 * Opens `url` as an event stream with `Authorization: Bearer <token>` and reads it until it
 * ends (resolves) or fails (rejects: StreamError for 401 and for answers that are not a
 * stream, TypeError/AbortError for the network). `onOpen` runs once the server accepted.
 */
export async function readEventStream(url, {token, lastEventId, signal, onOpen, onEvent, onComment, onChunk}) {
  const headers = {Accept: 'text/event-stream', 'Cache-Control': 'no-cache'};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (lastEventId) headers['Last-Event-ID'] = lastEventId;
  // Low priority: the stream never ends, so it must not compete with (or count as) the loading
  // of the board itself.
  const res = await fetch(url, {headers, signal, cache: 'no-store', priority: 'low'});
  if (res.status === 401) throw new StreamError('unauthorized', 401, 'The stream refused the token');
  const type = res.headers.get('Content-Type') ?? '';
  if (!res.ok || !type.startsWith('text/event-stream') || !res.body) {
    res.body?.cancel().catch(() => {});
    throw new StreamError('unavailable', res.status, `No event stream (HTTP ${res.status})`);
  }
  const parser = new SseParser(onEvent, onComment);
  await onOpen?.(parser);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      onChunk?.();
      parser.push(decoder.decode(value, {stream: true}));
    }
    parser.push(decoder.decode());
  } finally {
    reader.releaseLock();
  }
  return parser.lastEventId;
}
