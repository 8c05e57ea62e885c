/**
 * A local HTTP server that stands in for Slack, webhook and PagerDuty receivers: it records every
 * request and answers as scripted, including 429 with Retry-After, 5xx, or never (a hang).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** `delayMs`: answer that long after the whole request was read (a slow receiver). */
export type Answer =
  | { status: number; headers?: Record<string, string>; body?: string; delayMs?: number }
  | 'hang';
export type Script = (request: ReceivedRequest, index: number) => Answer;

export interface Receiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  script: Script;
  close(): Promise<void>;
}

export const ALWAYS_OK: Script = () => ({ status: 200, body: 'ok' });

export async function startReceiver(script: Script = ALWAYS_OK): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const receiver = { script } as { script: Script };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      const answer = receiver.script(request, requests.length - 1);
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      const respond = (): void => {
        hanging.delete(res);
        if (res.destroyed) return;
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? '');
      };
      if (answer.delayMs === undefined) return respond();
      hanging.add(res);
      setTimeout(respond, answer.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hook/T000/B000/secret-token`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
