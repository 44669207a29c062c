import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import request from 'supertest';
import type { Express } from 'express';
import { Gatehouse } from '@gatehouse/core';
import { unauthenticatedAnswer } from '@gatehouse/core/adapter';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { createApp } from '../examples/express-app/src/app.js';
import { applySeed, readSeed } from '../examples/express-app/src/seed.js';

const root = new URL('../examples/express-app/', import.meta.url);
let engine: Engine;
let gate: Gatehouse;
let app: Express;

beforeAll(async () => {
  engine = await Engine.create({ schema: await readFile(new URL('schema.perm', root), 'utf8') });
  const documents = await applySeed(engine, await readSeed(new URL('seed.yaml', root)));
  gate = new Gatehouse({ pdp: new EmbeddedPdp(engine) });
  app = createApp({ engine, gate, documents });
});

afterAll(async () => {
  await gate.close();
  await engine.close();
});

const acme = (user: string) => ({ 'x-tenant-id': 'acme', authorization: `Bearer ${user}` });

describe('the express example app', () => {
  it('lists only the documents the user may view, per tenant', async () => {
    const carol = await request(app).get('/documents').set(acme('carol')).expect(200);
    expect(carol.body.documents.map((d: { id: string }) => d.id).sort()).toEqual(['handbook', 'notes', 'roadmap']);
    const dave = await request(app).get('/documents').set(acme('dave')).expect(200);
    expect(dave.body.documents.map((d: { id: string }) => d.id).sort()).toEqual(['handbook', 'notes']);
    const globex = await request(app).get('/documents').set({ 'x-tenant-id': 'globex', 'x-user': 'dave' }).expect(200);
    expect(globex.body.documents.map((d: { id: string }) => d.id)).toEqual(['plan']);
  });

  it('answers 401 without a user with the adapters\' body, on its own routes as on authorize()d ones', async () => {
    const own = await request(app).get('/documents').set({ 'x-tenant-id': 'acme' }).expect(401);
    const guarded = await request(app).get('/documents/roadmap').set({ 'x-tenant-id': 'acme' }).expect(401);
    expect(own.body).toEqual(unauthenticatedAnswer().body);
    expect(own.body).toEqual(guarded.body);
    expect(own.body).toMatchObject({ error: 'Unauthorized', reason: 'unauthenticated' });
  });

  it('reads the tenant from the subdomain when there is no header', async () => {
    await request(app).get('/documents/plan').set({ host: 'globex.localhost', 'x-user': 'dave' }).expect(200);
    await request(app).get('/documents/plan').set({ host: 'acme.localhost', 'x-user': 'dave' }).expect(403);
  });

  it('guards every route with the policy: viewers read, editors create, owners and admins edit and share', async () => {
    await request(app).get('/documents/roadmap').set(acme('carol')).expect(200);
    await request(app).patch('/documents/roadmap').set(acme('carol')).send({ title: 'x' }).expect(403);
    await request(app).post('/documents').set(acme('carol')).send({ title: 'Mine' }).expect(403);
    const created = await request(app).post('/documents').set(acme('bob')).send({ title: 'Draft' }).expect(201);
    const id = created.body.id as string;
    await request(app).patch(`/documents/${id}`).set(acme('bob')).send({ title: 'Final' }).expect(200);
    await request(app).delete(`/documents/${id}`).set(acme('carol')).expect(403);
    await request(app).delete(`/documents/${id}`).set(acme('bob')).expect(204);
    await request(app).get('/documents/roadmap').set({ 'x-tenant-id': 'acme' }).expect(401);
    await request(app).get('/documents/roadmap').set({ 'x-tenant-id': 'acme!', 'x-user': 'alice' }).expect(400);
  });

  it('takes effect at once when a document is shared or made public', async () => {
    await request(app).get('/documents/plan').set({ 'x-tenant-id': 'globex', 'x-user': 'bob' }).expect(200); // viewer role
    await request(app).get('/documents/roadmap').set(acme('dave')).expect(403);
    await request(app).post('/documents/roadmap/share').set(acme('carol')).send({ user: 'dave' }).expect(403);
    await request(app).post('/documents/roadmap/share').set(acme('alice')).send({ user: 'dave' }).expect(204);
    await request(app).get('/documents/roadmap').set(acme('dave')).expect(200);
    const perms = await request(app).get('/documents/roadmap/permissions').set(acme('dave')).expect(200);
    expect(perms.body).toMatchObject({ view: true, edit: false, delete: false });
  });

  it('serves the permit-fe-sdk backend for the authenticated user', async () => {
    await request(app).get('/api/permit-check?user=alice&action=edit&resource=document:notes').set(acme('bob')).expect(200, { permitted: true });
    await request(app).get('/api/permit-check?user=bob&action=edit&resource=document:notes').set(acme('carol')).expect(200, { permitted: false });
  });
});
