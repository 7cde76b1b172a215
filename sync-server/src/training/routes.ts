import { Router, type RequestHandler } from 'express';
import type pg from 'pg';
import { mayDo, trainingSignInRequestSchema, type TrainingSession } from '@cimco/contract';
import type { AccessControl } from '../auth/access.ts';
import type { AccessTokens } from '../auth/access-tokens.ts';
import { caller, requireAuth } from '../auth/require-auth.ts';
import { openSession } from '../auth/routes.ts';
import { findUserByUsername } from '../auth/users.ts';
import { HttpError, parseBody } from '../http/errors.ts';
import type { Logger } from '../logger.ts';
import { followToFreshYard, liveYardFor, openTrainingYard, resetTrainingYard, trainingUsername, TrainingYardError } from './training-yard.ts';

interface TrainingDeps {
  pool: pg.Pool;
  tokens: AccessTokens;
  access: AccessControl;
  logger: Logger;
}

/**
 * The training yard's two doors (training-yard.ts says what a training yard is):
 *
 * - POST /auth/training: anyone enters a live yard's training yard as one of its people — no
 *   password, since everything there is made up and nothing there can reach the live yard. The
 *   yard is made on the first request.
 * - POST /admin/training/reset: an admin (of the live yard, or of its training yard) replaces the
 *   training yard with a fresh one.
 */
export function trainingRoutes({ pool, tokens, access, logger }: TrainingDeps): Router {
  const router = Router();

  router.post('/auth/training', async (req, res) => {
    const body = parseBody(trainingSignInRequestSchema, req.body);
    const yard = await openTrainingYard(pool, await asHttpError(liveYardFor(pool, body.site)), logger);
    const user = await findUserByUsername(pool, trainingUsername(body.account, yard.code));
    // Only if the yard was reset between the two statements above: the tablet asks again.
    if (!user?.active) throw new HttpError(409, 'training_reset', 'The training yard was just reset: try again.');
    if (body.device) await followToFreshYard(pool, body.device.id, yard);
    const session = await openSession({ pool, tokens }, user, body.device, req.get('user-agent'));
    logger.info({ userId: user.id, yard: yard.code, deviceId: body.device?.id }, 'signed in to the training yard');
    res.json({ ...session, yard } satisfies TrainingSession);
  });

  const adminOnly: RequestHandler = (req, _res, next) => {
    const { role } = caller(req);
    if (!mayDo(role, 'admin.manage')) return next(new HttpError(403, 'forbidden', `A ${role} cannot reset the training yard.`));
    next();
  };
  router.post('/admin/training/reset', requireAuth(tokens, access), adminOnly, async (req, res) => {
    const who = caller(req);
    const liveSiteId = await asHttpError(liveYardFor(pool, who.siteId));
    const yard = await resetTrainingYard(pool, liveSiteId, who, logger);
    res.json({ yard });
  });

  return router;
}

async function asHttpError<T>(pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch (error) {
    if (error instanceof TrainingYardError) throw new HttpError(error.code === 'unknown_yard' ? 404 : 400, error.code, error.message);
    throw error;
  }
}
