/**
 * A local HTTP server on 127.0.0.1 (port 0) that answers as the feeds' servers do: recorded responses and
 * the failures a real feed shows (401, 429 with Retry-After, 500, a time-out, a body cut short).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Answer =
  | { status: number; body: string; headers?: Record<string, string> }
  | { hang: true }
  | { truncate: string };

export interface Recorded {
  url: string;
  /** Requests seen: method, path with query, headers and body. */
  requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
  /** Answers per path prefix, taken in order; the last one repeats. */
  answers: Map<string, Answer[]>;
  close(): Promise<void>;
}

function send(res: ServerResponse, a: Answer): void {
  if ('hang' in a) return; // never answers: the client's time limit must end it
  if ('truncate' in a) {
    // Promises more than it sends, then drops the connection.
    res.writeHead(200, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(a.truncate) * 2) });
    res.write(a.truncate);
    setTimeout(() => res.socket?.destroy(), 20);
    return;
  }
  res.writeHead(a.status, { 'content-type': 'application/json', ...(a.headers ?? {}) });
  res.end(a.body);
}

export async function recordedServer(): Promise<Recorded> {
  const answers = new Map<string, Answer[]>();
  const requests: Recorded['requests'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push({ method: req.method ?? 'GET', url: req.url ?? '', headers: req.headers, body });
      const path = (req.url ?? '').split('?')[0];
      const key = [...answers.keys()].filter((k) => path.startsWith(k)).sort((a, b) => b.length - a.length)[0];
      const list = key ? answers.get(key)! : [];
      const a = list.length > 1 ? list.shift()! : list[0];
      if (!a) {
        res.writeHead(404).end('no such path');
        return;
      }
      send(res, a);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answers,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
