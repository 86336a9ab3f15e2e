/**
 * A pass-through gate in front of the signing service, for the upload end-to-end tests:
 *
 *   page ──► gate ──► signing service (s3-stack's presign server)
 *
 * Every request is forwarded untouched (CORS preflights included), except that a test can
 * hold the ones that match a rule until it releases them. Holding the signing call of a
 * part is how a test stops a multipart upload at a known point (part 1 sent, part 2 not)
 * without racing the loopback network: e.g. hold part 2, stop the bucket's proxy, release.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request the gate saw: method and path (no query string). */
export interface GateRequest {
  method: string;
  path: string;
}

/** Requests held by one {@link SigningGate.hold} rule. */
export interface Hold {
  /** How many requests this rule has caught so far. */
  readonly caught: number;
  /** Resolves once the rule has caught `count` requests in all. */
  waitForCaught(count?: number, timeoutMs?: number): Promise<void>;
  /** Forwards the held requests (those whose page is still there) and stops holding new ones. */
  release(): void;
}

export interface SigningGate {
  /** What goes into **Upload endpoint**. */
  readonly url: string;
  readonly requests: readonly GateRequest[];
  /**
   * Holds the next `limit` requests (default: all, until released) whose method and path
   * match. Preflights (OPTIONS) are never held.
   */
  hold(method: string, path: RegExp, limit?: number): Hold;
  close(): Promise<void>;
}

/** Starts a gate on a free loopback port that forwards to `upstream` (an http:// base URL). */
export async function startSigningGate(upstream: string): Promise<SigningGate> {
  const target = new URL(upstream);
  const requests: GateRequest[] = [];
  const rules: { method: string; path: RegExp; left: number; caught: number; held: (() => void)[]; waiters: (() => void)[] }[] = [];
  const sockets = new Set<Socket>();

  const forward = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (res.destroyed || req.socket.destroyed) return; // the page went away (reload) while held
    const upstreamRequest = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstreamRequest.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    res.on('close', () => upstreamRequest.destroy());
    req.pipe(upstreamRequest);
  };

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://gate').pathname;
    const method = req.method ?? 'GET';
    requests.push({ method, path });
    const rule = method === 'OPTIONS' ? undefined : rules.find((r) => r.left > 0 && r.method === method && r.path.test(path));
    if (!rule) return forward(req, res);
    rule.left--;
    rule.caught++;
    req.pause();
    rule.held.push(() => {
      req.resume();
      forward(req, res);
    });
    for (const wake of rule.waiters.splice(0)) wake();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    hold(method, path, limit = Infinity) {
      const rule = { method, path, left: limit, caught: 0, held: [] as (() => void)[], waiters: [] as (() => void)[] };
      rules.push(rule);
      return {
        get caught() {
          return rule.caught;
        },
        async waitForCaught(count = 1, timeoutMs = 60_000) {
          const deadline = Date.now() + timeoutMs;
          while (rule.caught < count) {
            const left = deadline - Date.now();
            if (left <= 0) throw new Error(`The gate caught ${rule.caught} of ${count} ${method} ${String(path)} requests in ${timeoutMs} ms.`);
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, left);
              rule.waiters.push(() => {
                clearTimeout(timer);
                resolve();
              });
            });
          }
        },
        release() {
          rule.left = 0;
          for (const go of rule.held.splice(0)) go();
        },
      };
    },
    async close() {
      for (const rule of rules) rule.left = 0;
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
