import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { AccessControl } from './auth/access.ts';
import { createAccessTokens } from './auth/access-tokens.ts';
import { createLoginLimiter } from './auth/login-limiter.ts';
import { refreshKeyFrom } from './auth/refresh-tokens.ts';
import type { Config } from './config.ts';
import { openDatabase } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { createApp } from './http/app.ts';
import type { Logger } from './logger.ts';
import { loadJwtSecret } from './secrets.ts';
import { startCalendarJob } from './pm/due-tasks.ts';
import { seedDemoYard } from './seed/demo-yard.ts';
import { FeedWaker } from './shapes/feed-waker.ts';
import { FeedWatcher } from './shapes/feed-watcher.ts';
import { FeedPublisher } from './shapes/publisher.ts';
import { proxyShapeRoutes } from './shapes/proxy.ts';
import { shapeRoutes } from './shapes/routes.ts';
import { ShapeService } from './shapes/shape-service.ts';

export interface RunningServer {
  url: string;
  port: number;
  shapes: ShapeService;
  publisher: FeedPublisher;
  access: AccessControl;
  close(): Promise<void>;
}

/** Database, migrations, demo data, change feed, then HTTP: everything `npm start` runs, in order. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const db = await openDatabase(config, logger);
  const publisher = new FeedPublisher(db.connectionString, logger, { retentionDays: config.feedRetentionDays });
  const watcher = new FeedWatcher(db.pool, db.connectionString, logger);
  const access = new AccessControl(db.pool, db.connectionString, logger);
  const waker = new FeedWaker(db.pool, publisher, logger);
  let http: Server | undefined;
  let shapes: ShapeService | undefined;
  try {
    const { applied, schemaVersion } = await migrate(db.pool);
    logger.info({ applied, schemaVersion }, applied.length ? 'migrations applied' : 'schema is up to date');
    if (config.demo) await seedDemoYard(db.pool, logger);

    await publisher.start();
    await watcher.start();
    await access.start();
    shapes = new ShapeService(db.pool, watcher, logger, { liveTimeoutMs: config.shapeLiveTimeoutMs, wake: () => waker.changed() });
    const secret = await loadJwtSecret(config.jwtSecret, config.dataDir);
    const tokens = createAccessTokens(secret);
    const app = createApp({
      pool: db.pool,
      tokens,
      access,
      refreshKey: refreshKeyFrom(secret),
      limiter: createLoginLimiter(),
      waker,
      trustProxy: config.trustProxy,
      logger,
      clientDist: config.clientDist,
      shapes: config.electricUrl
        ? proxyShapeRoutes({
            electricUrl: config.electricUrl,
            secret: config.electricSecret,
            tokens,
            access,
            schemaOf: (table) => shapes!.schemaOf(table),
            logger,
          })
        : shapeRoutes(shapes, tokens, access, config.electricSecret),
    });
    http = await new Promise<Server>((resolve, reject) => {
      const server = app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : resolve(server)));
    });
  } catch (error) {
    await Promise.all([publisher.stop(), watcher.stop(), access.stop()]);
    await db.close().catch(() => {});
    throw error;
  }

  const pmJob = startCalendarJob(db.pool, logger, () => waker.changed());
  const { port } = http.address() as AddressInfo;
  const url = `http://localhost:${port}`;
  logger.info({ port, url, embeddedDatabase: db.embedded, demo: config.demo }, 'listening');
  const server = http;
  return {
    url,
    port,
    shapes: shapes!,
    publisher,
    access,
    async close() {
      // Long-polls end with the connections; then the feed, then the database.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await Promise.all([publisher.stop(), watcher.stop(), access.stop(), pmJob.stop()]);
      await db.close();
    },
  };
}
