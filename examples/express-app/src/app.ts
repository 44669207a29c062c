import { randomUUID } from 'node:crypto';
import { ID_PATTERN } from '@gatehouse/core';
import { httpAnswer, unauthenticatedAnswer } from '@gatehouse/core/adapter';
import type { Gatehouse } from '@gatehouse/core';
import type { Engine } from '@gatehouse/engine';
import {
  authorize,
  firstOf,
  fromHeader,
  fromParam,
  fromSubdomain,
  gatehouse,
  permitCheckHandler,
} from '@gatehouse/express';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { DocumentStore } from './document-store.js';
import { fakeAuth } from './fake-auth.js';

/** What the app is built from: the engine (policy data), the gate (checks) and the documents (content). */
export interface AppParts {
  readonly engine: Engine;
  readonly gate: Gatehouse;
  readonly documents: DocumentStore;
}

const byId = { type: 'document', id: fromParam('id') } as const;

/**
 * The document service. Tenant: the `x-tenant-id` header, else the subdomain of `*.localhost`; a request naming
 * neither is refused (400 `missing_tenant`). The subject is the authenticated user's id, an opaque id (never parsed
 * as `type:id#relation`). Authorization is declared per route with `authorize()`; handlers use `req.gate` for
 * lists and permissions.
 */
export function createApp({ engine, gate, documents }: AppParts): Express {
  const app = express();
  app.use(express.json());
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(
    gatehouse({
      client: gate,
      tenant: firstOf(fromHeader('x-tenant-id'), fromSubdomain({ baseDomain: 'localhost' })),
      subject: fakeAuth,
    }),
  );

  // The documents the user may view: one lookup in the PDP, not a check per document.
  app.get('/documents', async (req, res) => {
    const bound = req.gate;
    if (bound === undefined) {
      // The same 401 as authorize() answers (core's adapter piece): { error: 'Unauthorized', message, reason }.
      const answer = unauthenticatedAnswer();
      res.status(answer.status).json(answer.body);
      return;
    }
    const ids = await bound.lookupResources('view', 'document');
    const visible = ids.flatMap((id) => documents.get(bound.tenant, id) ?? []);
    res.json({ tenant: bound.tenant, documents: visible.map(({ id, title }) => ({ id, title })) });
  });

  app.get('/documents/:id', authorize('view', byId), (req, res) => {
    const doc = documents.get(tenantOf(req), String(req.params.id));
    if (doc === undefined) res.status(404).json({ error: 'not_found', message: 'no such document' });
    else res.json(doc);
  });

  // What the user may do with a document, in one pass (for a UI that greys out buttons).
  app.get('/documents/:id/permissions', authorize('view', byId), async (req, res) => {
    res.json(await req.gate?.permissions(`document:${String(req.params.id)}`));
  });

  app.post('/documents', authorize('create', 'document'), async (req, res) => {
    const { title, body } = (req.body ?? {}) as { title?: unknown; body?: unknown };
    if (typeof title !== 'string' || title === '') {
      res.status(400).json({ error: 'invalid_request', message: 'title must be a non-empty string' });
      return;
    }
    const tenant = tenantOf(req);
    const id = randomUUID();
    documents.put(tenant, { id, title, body: typeof body === 'string' ? body : '' });
    await engine.write({ tenant, tuples: [`document:${id}#owner@${formatUser(req)}`] });
    res.status(201).json({ id, title });
  });

  app.patch('/documents/:id', authorize('edit', byId), (req, res) => {
    const doc = documents.get(tenantOf(req), String(req.params.id));
    if (doc === undefined) {
      res.status(404).json({ error: 'not_found', message: 'no such document' });
      return;
    }
    const { title, body } = (req.body ?? {}) as { title?: unknown; body?: unknown };
    if (typeof title === 'string' && title !== '') doc.title = title;
    if (typeof body === 'string') doc.body = body;
    res.json(doc);
  });

  // Share with a user (a viewer tuple) or make public (an attribute): owners and tenant admins only.
  app.post('/documents/:id/share', authorize('share', byId), async (req, res) => {
    const tenant = tenantOf(req);
    const id = String(req.params.id);
    const { user, public: isPublic } = (req.body ?? {}) as { user?: unknown; public?: unknown };
    if (user !== undefined && (typeof user !== 'string' || user === '*' || !ID_PATTERN.test(user))) {
      const answer = httpAnswer(400, 'user: a user id (letters, digits and "_-@.:+")', 'invalid_request');
      res.status(answer.status).json(answer.body);
      return;
    }
    if (typeof user === 'string') await engine.write({ tenant, tuples: [`document:${id}#viewer@user:${user}`] });
    if (typeof isPublic === 'boolean') {
      await engine.write({ tenant, attributes: [`document:${id}$public|boolean:${String(isPublic)}`] });
    }
    res.status(204).end();
  });

  app.delete('/documents/:id', authorize('delete', byId), async (req, res) => {
    const tenant = tenantOf(req);
    const id = String(req.params.id);
    documents.delete(tenant, id);
    await engine.delete({
      tenant,
      tupleFilter: { entity: { type: 'document', ids: [id] } },
      attributeFilter: { entity: { type: 'document', ids: [id] } },
    });
    res.status(204).end();
  });

  // The permit-fe-sdk backend: `Permit({ backendUrl: 'http://127.0.0.1:3000/api/permit-check', ... })`.
  app.all('/api/permit-check', permitCheckHandler());

  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    console.error(err);
    res.status(500).json({ error: 'internal', message });
  });
  return app;
}

function tenantOf(req: Request): string {
  // authorize() ran before every handler that calls this, so req.gate is set.
  return req.gate!.tenant;
}

function formatUser(req: Request): string {
  const { type, id } = req.gate!.subject;
  return `${type}:${id}`;
}
