import { IncomingMessage } from 'node:http';
import type { BoundGate } from '@gatehouse/core';
import type { Request } from 'express';

/**
 * Where `req.gate` lives.
 *
 * Express moves every request onto its app's request prototype (`Object.setPrototypeOf(req, app.request)`),
 * after which V8 gives the request a map of its own: each property a middleware then adds copies that map and
 * its descriptors, about 1.3 KB allocated (0.8 KB of it promoted to the old generation) per request and
 * property, measured on Express 5 / node 20 (bench/RESULTS.md). So `req.gate` is an accessor, defined once on
 * Express's shared request prototype (the one just above `http.IncomingMessage.prototype`, which every app
 * and mounted sub-app of that Express inherits from), over a `WeakMap` keyed by the request. Reading and
 * assigning `req.gate` work as for an own property; it is just not an own, enumerable one.
 *
 * Requests that do not come through Express's prototypes (a plain `http` server, a test double), or whose
 * prototype already defines `gate`, or that carry an own `gate` set before the accessor existed, keep a
 * plain own property.
 * @internal
 */
const gates = new WeakMap<object, BoundGate>();

/** App request prototypes (`app.request`) already known to inherit the accessor. */
const ready = new WeakSet<object>();
/** The last of them seen: one comparison on the hot path. */
let lastReady: object | undefined;

const accessor: PropertyDescriptor = {
  configurable: true,
  enumerable: false,
  get(this: object): BoundGate | undefined {
    return gates.get(this);
  },
  set(this: object, gate: BoundGate | undefined) {
    if (gate === undefined) gates.delete(this);
    else gates.set(this, gate);
  },
};

/**
 * True when `req.gate` of this request is the accessor (defining it on Express's request prototype if need be):
 * the request came through an Express app's prototypes.
 * @internal
 */
export function usesAccessor(req: Request): boolean {
  const proto: unknown = Object.getPrototypeOf(req);
  if (proto === lastReady) return true;
  if (typeof proto !== 'object' || proto === null) return false;
  if (!ready.has(proto)) {
    // Walk up to the object just above IncomingMessage.prototype: Express's own `request`.
    let base: object = proto;
    for (;;) {
      const up: unknown = Object.getPrototypeOf(base);
      if (up === IncomingMessage.prototype) break;
      if (typeof up !== 'object' || up === null) return false;
      base = up;
    }
    const existing = Object.getOwnPropertyDescriptor(base, 'gate');
    if (existing === undefined) {
      if (!Object.isExtensible(base)) return false;
      Object.defineProperty(base, 'gate', accessor);
    } else if (existing.get !== accessor.get) {
      return false;
    }
    // Between the app's prototype and the base, nothing may shadow the accessor.
    for (let p: object = proto; p !== base; p = Object.getPrototypeOf(p) as object) {
      if (Object.hasOwn(p, 'gate')) return false;
    }
    ready.add(proto);
  }
  lastReady = proto;
  return true;
}

/**
 * Sets `req.gate` (see the module note: in a `WeakMap` behind an accessor for Express requests).
 * @param viaAccessor - `usesAccessor(req)`, which the caller has already asked.
 * @internal
 */
export function setGate(req: Request, gate: BoundGate, viaAccessor: boolean): void {
  if (viaAccessor && !Object.hasOwn(req, 'gate')) gates.set(req, gate);
  else req.gate = gate;
}

/**
 * Removes `req.gate` (an anonymous request must not keep a gate an earlier middleware bound).
 * @internal
 */
export function clearGate(req: Request): void {
  gates.delete(req);
  if (Object.hasOwn(req, 'gate')) delete req.gate;
}

/**
 * `req.gate`, read without going through the accessor when the request's gate is in the map.
 * @internal
 */
export function gateOf(req: Request): BoundGate | undefined {
  return gates.get(req) ?? req.gate;
}
