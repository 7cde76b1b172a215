import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The one address every tablet talks to, in front of one or more server processes: a tiny
 * round-robin HTTP proxy, like the load balancer a yard with two servers would run. It lets the
 * harness kill and restart servers (they come back on new ports) without the tablets knowing,
 * and it is where two faults live:
 *
 * - a server that is down behaves like one a load balancer has just lost: a request sent to it,
 *   or in flight on it, has its connection reset (the tablet sees a network failure, not an HTTP
 *   error it might treat as an answer);
 * - duplicated requests: while `duplicatePosts` is on, each `POST /api/mutations` is delivered
 *   twice at once — to two different servers when two are up — as a retrying proxy or link
 *   would. The tablet gets the first copy's answer; both answers are kept, so the checks can say
 *   whether a command seen twice answered the same both times.
 *
 * It also counts the answers by status (409s are the handle rotations the tablets met).
 */
export interface Backend {
  name: string;
  port: number;
}

/** Two answers to one duplicated POST: the HTTP status and body of each copy ('reset' when it got none). */
export interface DuplicatedPost {
  /** When the upload arrived (Date.now()). */
  at: number;
  first: { status: number | 'reset'; body: string };
  second: { status: number | 'reset'; body: string };
}

export class RoundRobinProxy {
  readonly statusCounts = new Map<number | 'reset', number>();
  readonly duplicatedPosts: DuplicatedPost[] = [];
  /** Every 5xx answer a server gave (both copies of a duplicated upload included), with when. */
  readonly serverErrors: { at: number; status: number; path: string }[] = [];
  requests = 0;
  duplicatePosts = false;
  #backends: Backend[] = [];
  #next = 0;
  #server: http.Server;
  // A new connection per request, uncapped: every tablet holds a long-poll per shape (a capped
  // pool would queue uploads behind them), and a kept-alive socket the server closes just as the
  // proxy reuses it would cut a request for no reason (on loopback a connection costs little).
  #agent = new http.Agent({ keepAlive: false });
  #port = 0;

  constructor() {
    this.#server = http.createServer((req, res) => this.#forward(req, res));
    // Long-polls last up to the server's live timeout; never cut them here.
    this.#server.requestTimeout = 0;
    this.#server.headersTimeout = 0;
    // Longer than the tablets' fetch keeps an idle connection, so it never reuses one just closed.
    this.#server.keepAliveTimeout = 65_000;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#port = (this.#server.address() as AddressInfo).port;
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** The servers requests go to now (a server being killed is taken out first, as a health check would). */
  setBackends(backends: Backend[]): void {
    this.#backends = [...backends];
  }

  get backends(): readonly Backend[] {
    return this.#backends;
  }

  async close(): Promise<void> {
    this.#agent.destroy();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #pick(): Backend | undefined {
    if (this.#backends.length === 0) return undefined;
    return this.#backends[this.#next++ % this.#backends.length];
  }

  #count(status: number | 'reset'): void {
    this.statusCounts.set(status, (this.statusCounts.get(status) ?? 0) + 1);
  }

  #noteError(status: number | 'reset', req: http.IncomingMessage): void {
    if (typeof status === 'number' && status >= 500) this.serverErrors.push({ at: Date.now(), status, path: `${req.method} ${req.url}` });
  }

  #forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.requests++;
    const backend = this.#pick();
    if (!backend) {
      this.#count('reset');
      req.socket.destroy();
      return;
    }
    if (this.duplicatePosts && req.method === 'POST' && req.url === '/api/mutations') {
      this.#forwardTwice(req, res, backend);
      return;
    }
    const upstream = this.#request(backend, req, (answer) => {
      this.#count(answer.statusCode ?? 0);
      this.#noteError(answer.statusCode ?? 0, req);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    });
    let tabletGone = false;
    upstream.on('error', () => {
      // A request the tablet itself gave up is not a server lost.
      if (!tabletGone) this.#count('reset');
      res.destroy();
    });
    // The tablet gave up (an aborted long-poll, a cut network): the server's side of it goes too.
    res.on('close', () => {
      if (res.writableFinished) return;
      tabletGone = true;
      upstream.destroy();
    });
    req.pipe(upstream);
  }

  /** Reads the POST body, sends it to `backend` and to the next server at once, answers with the first. */
  #forwardTwice(req: http.IncomingMessage, res: http.ServerResponse, backend: Backend): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const at = Date.now();
      const body = Buffer.concat(chunks);
      const other = this.#backends.length > 1 ? (this.#pick() ?? backend) : backend;
      const first = this.#sendBuffered(backend, req, body);
      const second = this.#sendBuffered(other, req, body);
      void first.then((answer) => {
        this.#count(answer.status);
        if (answer.status === 'reset') {
          res.destroy();
          return;
        }
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      });
      void Promise.all([first, second]).then(([a, b]) => {
        this.#noteError(a.status, req);
        this.#noteError(b.status, req);
        this.duplicatedPosts.push({ at, first: { status: a.status, body: a.body }, second: { status: b.status, body: b.body } });
      });
    });
  }

  #sendBuffered(
    backend: Backend,
    req: http.IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number | 'reset'; headers: http.IncomingHttpHeaders; body: string }> {
    return new Promise((resolve) => {
      const upstream = this.#request(backend, req, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => parts.push(chunk));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 0, headers: answer.headers, body: Buffer.concat(parts).toString('utf8') }));
        answer.on('error', () => resolve({ status: 'reset', headers: {}, body: '' }));
      });
      upstream.on('error', () => resolve({ status: 'reset', headers: {}, body: '' }));
      upstream.end(body);
    });
  }

  #request(backend: Backend, req: http.IncomingMessage, onAnswer: (answer: http.IncomingMessage) => void): http.ClientRequest {
    return http.request(
      { host: '127.0.0.1', port: backend.port, method: req.method, path: req.url, headers: req.headers, agent: this.#agent },
      onAnswer,
    );
  }
}
