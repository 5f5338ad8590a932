import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Express } from 'express';

export interface ListenOptions {
  /** 0 or absent = any free port. */
  port?: number;
  /** 127.0.0.1 unless a container or pod needs 0.0.0.0. */
  host?: string;
}

export interface RunningServer {
  server: Server;
  port: number;
  /** `http://127.0.0.1:<port>` — what a client in the same machine calls. */
  url: string;
  /** Stops listening and cuts open connections (a hung fault must not hold a test's shutdown). */
  close(): Promise<void>;
}

/** Starts an emulator's app; resolves once it listens, rejects when the port is taken. */
export async function listen(app: Express, options: ListenOptions = {}): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve(listening));
    listening.once('error', reject);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
