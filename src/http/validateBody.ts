/**
 * Request-body validation against a schema of `schemas/`: unknown fields, wrong types and
 * missing fields are a 400 that lists every problem, before any handler runs.
 */
import type { RequestHandler } from 'express';
import { describeErrors, schemas } from '../policy/schemaRegistry.js';
import { HttpError } from './problem.js';

/** A body check, carrying the `$id` of its schema so the router can say what each route takes. */
export type BodyValidator = RequestHandler & { bodySchema: string };

export function validateBody(schemaId: string): BodyValidator {
  const validate = schemas().validator(schemaId);
  const check: RequestHandler = (req, _res, next) => {
    // express.json left no body: it was not JSON (the media type is only parsed then).
    if (req.body === undefined && !req.is('application/json')) {
      return next(new HttpError(415, 'unsupported_media_type', 'send the body as application/json'));
    }
    if (!validate(req.body ?? null)) {
      const errors = describeErrors(validate.errors);
      return next(new HttpError(400, 'invalid_request', errors.join('; '), { errors }));
    }
    next();
  };
  return Object.assign(check, { bodySchema: schemaId });
}
