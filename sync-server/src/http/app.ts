import fs from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';
import helmet from 'helmet';
import type pg from 'pg';
import { pinoHttp } from 'pino-http';
import type { AccessControl } from '../auth/access.ts';
import type { AccessTokens } from '../auth/access-tokens.ts';
import type { LoginLimiter } from '../auth/login-limiter.ts';
import type { FeedWaker } from '../shapes/feed-waker.ts';
import { adminRoutes } from '../admin/routes.ts';
import { requireAuth } from '../auth/require-auth.ts';
import { mutationRoutes } from '../commands/routes.ts';
import { csvRoutes } from '../csv/routes.ts';
import { authRoutes } from '../auth/routes.ts';
import { trainingRoutes } from '../training/routes.ts';
import type { Logger } from '../logger.ts';
import { auditRoutes } from './audit.ts';
import { errorHandler, notFound } from './errors.ts';
import { healthRoutes } from './health.ts';

export const JSON_BODY_LIMIT = '1mb';

export interface AppDeps {
  pool: pg.Pool;
  tokens: AccessTokens;
  /** The account and tablet check every authenticated request goes through. */
  access: AccessControl;
  /** Key for refresh-token successors (refresh-tokens.ts). */
  refreshKey: Buffer;
  limiter: LoginLimiter;
  /** Express's `trust proxy` (TRUST_PROXY): whose X-Forwarded-For decides the client address. */
  trustProxy: boolean | number | string[];
  logger: Logger;
  /** The built tablet app; served with a fallback to index.html for client-side routes. */
  clientDist: string;
  /** GET /v1/shape (shapes/routes.ts). */
  shapes: Router;
  /** Told after every API request that may have written synced rows (shapes/feed-waker.ts). */
  waker: FeedWaker;
}

export function createApp({ pool, tokens, access, refreshKey, limiter, trustProxy, logger, clientDist, shapes, waker }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // ETags are set deliberately where responses can be revalidated (shapes/routes.ts); Express's
  // automatic ones would turn identical long-poll answers into 304s.
  app.set('etag', false);
  // req.ip is the client's address for the sign-in limits. X-Forwarded-For is only believed from
  // the proxies TRUST_PROXY names: anyone else could write any address there and so dodge them.
  app.set('trust proxy', trustProxy);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // PGlite compiles WebAssembly and runs in a worker.
          'script-src': ["'self'", "'wasm-unsafe-eval'"],
          'worker-src': ["'self'", 'blob:'],
          // The installable app: its web app manifest (and, through it, the icons: img-src 'self').
          'manifest-src': ["'self'"],
        },
      },
    }),
  );
  app.use(pinoHttp({ logger, autoLogging: { ignore: (req) => req.url === '/api/health' } }));

  const api = express.Router();
  // Any request that may have written (commands, imports, admin, sign-in): once it is answered its
  // transactions have committed, and the feed is published now rather than at the next poll.
  api.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') res.on('finish', () => waker.changed());
    next();
  });
  api.use(express.json({ limit: JSON_BODY_LIMIT }));
  api.use(healthRoutes(pool));
  api.use(authRoutes({ pool, tokens, access, refreshKey, limiter, logger }));
  api.use(trainingRoutes({ pool, tokens, access, logger }));
  // Everything else under /api needs a signed-in caller, even to learn that a route does not exist.
  api.use(requireAuth(tokens, access));
  api.use(mutationRoutes(pool));
  api.use(auditRoutes(pool));
  api.use(csvRoutes(pool));
  api.use(adminRoutes(pool));
  api.use(notFound);
  app.use('/api', api);
  app.use(shapes);

  serveClient(app, clientDist, logger);
  app.use(errorHandler(logger));
  return app;
}

/** Files at the root of the build that say which version is current: browsers must revalidate them. */
const REVALIDATE = /^\/(?:index\.html|sw\.js|registerSW\.js|workbox-[\w-]+\.js|manifest\.webmanifest)$/;

function serveClient(app: express.Express, clientDist: string, logger: Logger): void {
  const index = path.join(clientDist, 'index.html');
  if (!fs.existsSync(index)) {
    logger.warn({ clientDist }, 'the client is not built (run `npm run build`): only the API is served');
    return;
  }
  const assets = path.join(clientDist, 'assets') + path.sep;
  app.use(
    express.static(clientDist, {
      index: false,
      setHeaders(res, file) {
        if (file.startsWith(assets)) {
          // Vite puts a content hash in every name under assets/: a new build means new names.
          res.setHeader('cache-control', 'public, max-age=31536000, immutable');
          return;
        }
        const name = `/${path.relative(clientDist, file).split(path.sep).join('/')}`;
        if (name === '/manifest.webmanifest') res.setHeader('content-type', 'application/manifest+json');
        // The service worker and the manifest are checked on every visit, so a new version is found;
        // the other files outside assets/ (icons) are small and keep their names across versions.
        res.setHeader('cache-control', REVALIDATE.test(name) ? 'no-cache' : 'public, max-age=0, must-revalidate');
      },
    }),
  );
  // Client-side routes (/parts/123) load the app; unknown files (a missing .js) stay 404s.
  app.get(/^\/(?!api\/|v1\/)[^.]*$/, (_req, res) => {
    res.set('cache-control', 'no-cache').sendFile(index);
  });
}
