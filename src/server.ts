import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './app.ts';
import { startBackground } from './background.ts';
import type { Built } from './bootstrap.ts';
import { defaultPublicUrl } from './config.ts';
import { StartupError } from './startup-error.ts';
import { flushExecutionLog } from './services/execution-log.ts';

const LISTEN_PROBLEMS: Record<string, string> = {
  EADDRINUSE: 'the port is in use by another process (choose another with PORT)',
  EACCES: 'permission denied (ports below 1024 need privileges; choose another with PORT)',
  EADDRNOTAVAIL: 'HOST is not an address of this machine',
  ENOTFOUND: 'HOST does not resolve',
};

export interface RunningServer {
  url: string;
  port: number;
  publicUrl: string;
  /** graceful: stop accepting, let in-flight requests finish (up to the timeout), then close the database */
  shutdown(): Promise<void>;
}

export async function startServer(built: Built): Promise<RunningServer> {
  const { deps, storage } = built;
  // the app is built once listening: with PORT=0 its public URL needs the port the system gave
  let app: ReturnType<typeof createApp> | undefined;
  const server: ServerType = await new Promise((resolve, reject) => {
    const timeout = deps.config.requestTimeoutMs;
    const s = serve(
      {
        fetch: (request, env) => app!.fetch(request, env),
        port: deps.config.port,
        hostname: deps.config.host,
        // Node's defaults let a client trickle a body for 5 minutes; a request not fully received in
        // time gets 408 and its connection closed. Node checks every connectionsCheckingInterval.
        serverOptions: { requestTimeout: timeout, headersTimeout: timeout, connectionsCheckingInterval: Math.min(1000, timeout) },
      },
      () => resolve(s),
    );
    s.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${deps.config.host}:${deps.config.port}`;
      reject(LISTEN_PROBLEMS[error.code ?? ''] ? new StartupError(`cannot listen on ${where}: ${LISTEN_PROBLEMS[error.code!]}`) : error);
    });
  });
  const { port } = server.address() as AddressInfo;
  if (deps.config.publicUrl === defaultPublicUrl(0)) deps.config = { ...deps.config, publicUrl: defaultPublicUrl(port) };
  app = createApp(deps);
  const background = startBackground(deps);
  let stopping: Promise<void> | null = null;

  const shutdown = () => {
    stopping ??= (async () => {
      deps.lifecycle.draining = true;
      deps.log.info('shutting down: finishing in-flight requests');
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          deps.log.warn('shutdown timeout reached: closing remaining connections');
          (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        }, deps.config.shutdownTimeoutMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        // Idle keep-alive sockets would hold close() open until they time out.
        (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      });
      await background.stop();
      // the execution log's last rows, written before the database closes
      await flushExecutionLog(deps);
      await storage.close();
      deps.log.info('stopped');
    })();
    return stopping;
  };
  return {
    url: `http://${deps.config.host.includes(':') ? `[${deps.config.host}]` : deps.config.host}:${port}`,
    port,
    publicUrl: deps.config.publicUrl,
    shutdown,
  };
}
