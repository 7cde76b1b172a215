import type { ErrorRequestHandler, RequestHandler } from 'express';
import { invalidText, type ApiError } from '@cimco/contract';
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

/**
 * Parses a request body or query with a contract schema. Failures become 400 with a message per
 * field; invalid characters (NUL…) anywhere in the input are refused here, for every route, with
 * the contract's one rule (`invalidText`), before any of it can reach the database.
 */
export function parseBody<S extends z.ZodType>(
  schema: S,
  body: unknown,
  /**
   * `schema`: leave text to the schema. Only for the command batch, whose commands' arguments are
   * checked one by one (the contract's COMMANDS refuse invalid text): a bad command is that
   * command's rejection, and must not block the tablet's whole queue with a 400.
   */
  { text = 'all' }: { text?: 'all' | 'schema' } = {},
): z.infer<S> {
  if (body === undefined) {
    throw new HttpError(400, 'invalid_request', 'Send a JSON body with the header Content-Type: application/json.');
  }
  const fields: Record<string, string[]> = {};
  const add = (path: PropertyKey[], message: string) => {
    const key = path.map(String).join('.') || '(body)';
    const messages = (fields[key] ??= []);
    if (!messages.includes(message)) messages.push(message);
  };
  if (text === 'all') for (const { path, message } of invalidText(body)) add(path, message);
  const result = schema.safeParse(body);
  if (!result.success) for (const issue of result.error.issues) add(issue.path, issue.message);
  if (result.success && Object.keys(fields).length === 0) return result.data;
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
  statusCode?: number;
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
        return send(415, {
          error: 'unsupported_encoding',
          message: `${parserError.message}: send the body uncompressed, or with Content-Encoding gzip, deflate or br.`,
        });
      case 'charset.unsupported':
        return send(415, { error: 'unsupported_charset', message: `${parserError.message}: send the body as UTF-8.` });
    }
    // Other errors of the body parser and its decompression (a body declared gzip that is not,
    // a body shorter than its Content-Length, an aborted upload) carry their HTTP status: the
    // request was bad, and the server is fine.
    const status = parserError.status ?? parserError.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message =
        parserError.type === 'entity.verify.failed' || !parserError.message ? 'The request body could not be read.' : parserError.message;
      return send(status, {
        error: status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'unreadable_body',
        message: /content-encoding|gzip|deflate|incorrect header|invalid|unexpected end/i.test(message)
          ? `The request body could not be decoded as its Content-Encoding (${req.get('content-encoding') ?? 'identity'}) says (${message}). Send it uncompressed, or compressed as declared.`
          : `The request body could not be read (${message}).`,
      });
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
