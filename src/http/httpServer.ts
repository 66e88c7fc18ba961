/**
 * The HTTP server an Express app is served by. Express gives every request and response
 * its own prototypes on arrival (`Object.setPrototypeOf`). Done to objects born with
 * Node's prototypes, that costs V8 a new hidden class per object: the objects then outlive
 * the young generation, and under load each scavenge pauses for milliseconds. Here the
 * server builds requests and responses from classes whose prototypes are the app's own,
 * so Express finds them already in place and changes nothing. Behaviour is the same.
 */
import http from 'node:http';
import type { Express } from 'express';

type RequestClass = typeof http.IncomingMessage;
type ResponseClass = typeof http.ServerResponse<http.IncomingMessage>;

const classesOf = new WeakMap<Express, { Request: RequestClass; Response: ResponseClass }>();

/** Classes whose instances carry `app`'s request and response prototypes from birth. */
function appClasses(app: Express): { Request: RequestClass; Response: ResponseClass } {
  const known = classesOf.get(app);
  if (known) return known;
  class AppRequest extends http.IncomingMessage {}
  class AppResponse extends http.ServerResponse {}
  // The class prototypes sit in front of Express's, and Express is pointed at them.
  Object.setPrototypeOf(AppRequest.prototype, app.request);
  Object.setPrototypeOf(AppResponse.prototype, app.response);
  app.request = AppRequest.prototype as unknown as Express['request'];
  app.response = AppResponse.prototype as unknown as Express['response'];
  const classes = { Request: AppRequest, Response: AppResponse };
  classesOf.set(app, classes);
  return classes;
}

/** An HTTP server for `app` (not yet listening). */
export function createHttpServer(app: Express): http.Server {
  const { Request, Response } = appClasses(app);
  return http.createServer({ IncomingMessage: Request, ServerResponse: Response }, app);
}

/** Serves `app` on host:port; resolves once listening, rejects if the port cannot be bound. */
export function listenHttp(app: Express, host: string, port: number): Promise<http.Server> {
  return listening(createHttpServer(app), host, port);
}

/** Starts `server` on host:port; resolves once listening, rejects if the port cannot be bound. */
export function listening(server: http.Server, host: string, port: number): Promise<http.Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
