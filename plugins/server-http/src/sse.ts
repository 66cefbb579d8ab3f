/** Server-sent events on a hijacked Fastify reply (the stream outlives the handler's return). */
import type { FastifyReply } from 'fastify';

export interface SseStream {
  /** `event:` line (omitted for OpenAI-style `data:`-only streams) and JSON data. */
  send(data: unknown, event?: string): void;
  /** Raw `data: <text>` (e.g. `[DONE]`). */
  raw(text: string): void;
  end(): void;
  readonly closed: boolean;
}

export function openSse(reply: FastifyReply, headers: Record<string, string> = {}): SseStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': String(reply.request.id),
    ...headers,
  });
  res.flushHeaders?.();
  let closed = false;
  res.on('close', () => { closed = true; });
  const write = (s: string): void => {
    if (!closed && !res.writableEnded) res.write(s);
  };
  return {
    send(data, event) { write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`); },
    raw(text) { write(`data: ${text}\n\n`); },
    end() {
      if (!res.writableEnded) res.end();
      closed = true;
    },
    get closed() { return closed || res.writableEnded; },
  };
}
