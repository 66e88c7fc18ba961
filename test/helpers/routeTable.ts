/**
 * Every route an Express app serves, read from its router: method, path pattern, and the
 * schema its body is checked against when a `validateBody` guards it. Tests that must cover
 * every route enumerate this, so a route added later is covered without anyone listing it.
 */
import type { Express } from 'express';

export interface RouteEntry {
  method: string;
  /** The pattern, e.g. `/v1/devices/:deviceId/revoke`. */
  path: string;
  /** Names of its path parameters, in order. */
  params: string[];
  /** `$id` of the schema a validateBody on the route checks its body against. */
  bodySchema?: string;
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean>; stack: Array<{ handle: { bodySchema?: string } }> };
  handle?: { stack?: Layer[] };
}

function walk(stack: Layer[], into: RouteEntry[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const bodySchema = layer.route.stack.map((l) => l.handle.bodySchema).find((s) => s !== undefined);
      const params = [...layer.route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]);
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== '_all') into.push({ method: method.toUpperCase(), path: layer.route.path, params, ...(bodySchema ? { bodySchema } : {}) });
      }
    } else if (layer.handle?.stack) {
      walk(layer.handle.stack, into);
    }
  }
}

/** The app's routes, in the order they are matched. */
export function routeTable(app: Express): RouteEntry[] {
  const routes: RouteEntry[] = [];
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, routes);
  return routes;
}
