import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ApiError } from '@cimco/contract';
import { z } from 'zod';
import type { Logger } from '../logger.ts';

/** An error answered as-is: status, a stable code, and a message a person can act on. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string[]>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Parses a request body with a contract schema; failures become 400 with a message per field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (body === undefined) {
    throw new HttpError(400, 'invalid_request', 'Send a JSON body with the header Content-Type: application/json.');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const fields: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.join('.') || '(body)';
    (fields[key] ??= []).push(issue.message);
  }
  const summary = Object.entries(fields)
    .map(([key, messages]) => `${key}: ${messages.join('; ')}`)
    .join('. ');
  throw new HttpError(400, 'invalid_request', `The request is not valid. ${summary}.`, fields);
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `There is no ${req.method} ${req.path} in this API.`));
};

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const send = (status: number, body: ApiError, headers?: Record<string, string>) => {
      if (headers) res.set(headers);
      res.status(status).json(body);
    };
    if (error instanceof HttpError) {
      return send(
        error.status,
        { error: error.code, message: error.message, ...(error.fields && { fields: error.fields }) },
        error.headers,
      );
    }
    // Errors raised by express.json() before any route runs.
    const parserError = error as BodyParserError;
    switch (parserError.type) {
      case 'entity.parse.failed':
        return send(400, {
          error: 'malformed_json',
          message: `The request body is not valid JSON (${parserError.message}).`,
        });
      case 'entity.too.large':
        return send(413, {
          error: 'payload_too_large',
          message: `The request body is larger than the ${formatBytes(parserError.limit)} limit. Send less at a time.`,
        });
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return send(415, { error: 'unsupported_encoding', message: 'Send the body as UTF-8 JSON.' });
    }
    logger.error({ err: error, method: req.method, path: req.path }, 'unhandled error');
    return send(500, {
      error: 'internal_error',
      message: 'Something went wrong on the server. It has been logged; try again.',
    });
  };
}

function formatBytes(bytes: number | undefined): string {
  if (!bytes) return 'size';
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.round(bytes / 1024)} KB`;
}
