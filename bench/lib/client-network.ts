import net from 'node:net';
import type { Environment } from './environment.ts';

/**
 * The tablet's Wi-Fi, as a TCP relay between the browser and the server that the bench switches
 * off and on, and that sees every request line the browser sends (`watch`), which the bench
 * counts. Switched off, the relay drops every open connection (long-polls included) and resets new
 * ones at once, so every request from the page, its workers and the service worker fails as with
 * no network.
 */
export class NetworkSwitch {
  #online = true;
  #sockets = new Set<net.Socket>();
  #server: net.Server;
  port = 0;
  /** Request lines the browser sent ("POST /api/mutations"), with performance.now(), once `watch` is on. */
  readonly requests: { at: number; line: string }[] = [];
  watch = false;

  private constructor(private readonly target: { host: string; port: number }) {
    this.#server = net.createServer((client) => this.#accept(client));
  }

  static async start(env: Environment, target: { host: string; port: number }): Promise<NetworkSwitch> {
    const relay = new NetworkSwitch(target);
    await new Promise<void>((resolve, reject) => {
      relay.#server.once('error', reject);
      relay.#server.listen(0, '127.0.0.1', () => resolve());
    });
    relay.port = (relay.#server.address() as net.AddressInfo).port;
    env.onCleanUp('stop the network relay', () => relay.stop());
    return relay;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get online(): boolean {
    return this.#online;
  }

  setOnline(online: boolean): void {
    this.#online = online;
    if (!online) for (const socket of this.#sockets) socket.resetAndDestroy();
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: net.Socket): void {
    if (!this.#online) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(this.target.port, this.target.host);
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on('close', () => {
        this.#sockets.delete(socket);
        (socket === client ? upstream : client).destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      if (!this.watch) return;
      // Browsers do not pipeline: a request starts a chunk.
      const line = /^([A-Z]+ \S+) HTTP\/1\.1\r\n/.exec(chunk.subarray(0, 300).toString('latin1'));
      if (line) this.requests.push({ at: performance.now(), line: line[1]!.split('?')[0]! });
    });
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
