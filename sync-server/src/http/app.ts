import fs from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';
import helmet from 'helmet';
import type pg from 'pg';
import { pinoHttp } from 'pino-http';
import type { AccessTokens } from '../auth/access-tokens.ts';
import type { LoginLimiter } from '../auth/login-limiter.ts';
import { requireAuth } from '../auth/require-auth.ts';
import { mutationRoutes } from '../commands/routes.ts';
import { csvRoutes } from '../csv/routes.ts';
import { authRoutes } from '../auth/routes.ts';
import type { Logger } from '../logger.ts';
import { auditRoutes } from './audit.ts';
import { errorHandler, notFound } from './errors.ts';
import { healthRoutes } from './health.ts';

export const JSON_BODY_LIMIT = '1mb';

export interface AppDeps {
  pool: pg.Pool;
  tokens: AccessTokens;
  limiter: LoginLimiter;
  logger: Logger;
  /** The built tablet app; served with a fallback to index.html for client-side routes. */
  clientDist: string;
  /** GET /v1/shape (shapes/routes.ts). */
  shapes: Router;
}

export function createApp({ pool, tokens, limiter, logger, clientDist, shapes }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // ETags are set deliberately where responses can be revalidated (shapes/routes.ts); Express's
  // automatic ones would turn identical long-poll answers into 304s.
  app.set('etag', false);
  // Behind one reverse proxy in production, req.ip must be the client's address (rate limits).
  app.set('trust proxy', 'loopback');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // PGlite compiles WebAssembly and runs in a worker.
          'script-src': ["'self'", "'wasm-unsafe-eval'"],
          'worker-src': ["'self'", 'blob:'],
        },
      },
    }),
  );
  app.use(pinoHttp({ logger, autoLogging: { ignore: (req) => req.url === '/api/health' } }));

  const api = express.Router();
  api.use(express.json({ limit: JSON_BODY_LIMIT }));
  api.use(healthRoutes(pool));
  api.use(authRoutes({ pool, tokens, limiter, logger }));
  // Everything else under /api needs a signed-in caller, even to learn that a route does not exist.
  api.use(requireAuth(tokens));
  api.use(mutationRoutes(pool));
  api.use(auditRoutes(pool));
  api.use(csvRoutes(pool));
  api.use(notFound);
  app.use('/api', api);
  app.use(shapes);

  serveClient(app, clientDist, logger);
  app.use(errorHandler(logger));
  return app;
}

function serveClient(app: express.Express, clientDist: string, logger: Logger): void {
  const index = path.join(clientDist, 'index.html');
  if (!fs.existsSync(index)) {
    logger.warn({ clientDist }, 'the client is not built (run `npm run build`): only the API is served');
    return;
  }
  app.use(express.static(clientDist, { index: false }));
  // Client-side routes (/parts/123) load the app; unknown files (a missing .js) stay 404s.
  app.get(/^\/(?!api\/|v1\/)[^.]*$/, (_req, res) => {
    res.set('cache-control', 'no-cache').sendFile(index);
  });
}
