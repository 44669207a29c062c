import { ConflictError, InvalidRequestError, NotFoundError } from '@gatehouse/core';
import { Engine, SchemaCompileError, SchemaParseError } from '@gatehouse/engine';
import type { EngineChange } from '@gatehouse/engine';
import { describe, expect, it } from '@jest/globals';

const SCHEMA = `
entity user {}
entity tenant {
  relation admin @user
}
entity team {
  relation member @user
}
entity document {
  relation owner @user
  relation viewer @user @team#member
  attribute public boolean
  attribute level integer
  permission edit = owner or tenant.admin
  permission view = edit or viewer or public
}`;

const alice = { type: 'user', id: 'alice' };

describe('Engine tenancy', () => {
  it('always has t1, creates, lists and deletes tenants', async () => {
    const engine = await Engine.create({ schema: SCHEMA });
    expect(engine.defaultTenant).toBe('t1');
    const rec = await engine.createTenant('acme', { name: 'Acme' });
    expect(rec).toMatchObject({ id: 'acme', name: 'Acme' });
    await expect(engine.createTenant('acme')).rejects.toBeInstanceOf(ConflictError);
    await expect(engine.createTenant('default')).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(engine.createTenant('bad id!')).rejects.toBeInstanceOf(InvalidRequestError);
    expect((await engine.listTenants()).tenants.map((t) => t.id)).toEqual(['acme', 't1']);
    expect(await engine.getTenant('acme')).toMatchObject({ id: 'acme', name: 'Acme' });
    expect(await engine.getTenant('globex')).toBeUndefined();
    await expect(engine.getTenant('bad id!')).rejects.toBeInstanceOf(InvalidRequestError);
    await engine.deleteTenant('acme');
    expect(await engine.getTenant('acme')).toBeUndefined();
    await expect(engine.deleteTenant('acme')).rejects.toBeInstanceOf(NotFoundError);
    await expect(engine.deleteTenant('t1')).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(engine.check({ tenant: 'acme', subject: alice, action: 'edit', resource: { type: 'document', id: '1' } })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lets a tenant without its own schema use the default tenant\'s, until it writes one', async () => {
    const engine = await Engine.create({ schema: SCHEMA });
    await engine.createTenant('acme');
    await engine.write({ tenant: 'acme', tuples: ['document:1#owner@user:alice'] });
    expect((await engine.readSchema('acme')).source).toBe(SCHEMA);
    const { schemaVersion, snapToken } = await engine.writeSchema('acme', 'entity user {}\nentity document { relation owner @user permission remove = owner }');
    expect((await engine.readSchema('acme')).schemaVersion).toBe(schemaVersion);
    // The schema commit's own token: the head right after it.
    expect(snapToken).toBe(engine.headSnapToken('acme'));
    expect((await engine.check({ tenant: 'acme', subject: alice, action: 'remove', resource: { type: 'document', id: '1' } })).allowed).toBe(true);
    expect((await engine.listSchemas('acme')).head).toBe(schemaVersion);
    const def = (await engine.readSchema('acme')).definition as { entityDefinitions?: unknown; entity_definitions?: unknown };
    expect(def.entityDefinitions ?? def.entity_definitions).toBeDefined();
  });

  it('rejects bad schemas with SchemaParseError / SchemaCompileError and keeps the old one', async () => {
    const engine = await Engine.create({ schema: SCHEMA });
    await expect(engine.writeSchema('t1', 'entity {')).rejects.toBeInstanceOf(SchemaParseError);
    await expect(engine.writeSchema('t1', 'entity user {}\nentity doc { permission p = nothing }')).rejects.toBeInstanceOf(SchemaCompileError);
    expect((await engine.readSchema('t1')).source).toBe(SCHEMA);
  });

  it('emits a change for every tenant ("*") when the default tenant\'s schema changes', async () => {
    const engine = await Engine.create({ schema: SCHEMA });
    await engine.createTenant('acme');
    const seen: EngineChange[] = [];
    engine.watch((e) => seen.push(e));
    await engine.writeSchema('t1', `${SCHEMA}\nentity folder {}`);
    await engine.writeSchema('acme', SCHEMA);
    expect(seen.map((e) => [e.tenant, e.kind])).toEqual([
      ['*', 'schema'],
      ['acme', 'schema'],
    ]);
  });

  it('keeps tenants apart: data written in one is invisible in another', async () => {
    const engine = await Engine.create({ schema: SCHEMA });
    await engine.createTenant('acme');
    await engine.createTenant('globex');
    await engine.write({ tenant: 'acme', tuples: ['document:1#owner@user:alice'], attributes: ['document:2$public|boolean:true'] });
    const check = (tenant: string, id: string): Promise<boolean> => engine.check({ tenant, subject: alice, action: 'view', resource: { type: 'document', id } }).then((d) => d.allowed);
    expect(await check('acme', '1')).toBe(true);
    expect(await check('acme', '2')).toBe(true);
    expect(await check('globex', '1')).toBe(false);
    expect(await check('globex', '2')).toBe(false);
    expect((await engine.readRelationships({ tenant: 'globex' })).tuples).toEqual([]);
    expect((await engine.lookupEntity({ tenant: 'globex', entityType: 'document', permission: 'view', subject: 'user:alice' })).ids).toEqual([]);
  });
});

describe('Engine writes', () => {
  it('accepts string and object forms, and returns increasing snap tokens', async () => {
    const engine = await Engine.create({ schema: SCHEMA });
    const a = await engine.write({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
    const b = await engine.write({
      tenant: 't1',
      tuples: [{ entity: { type: 'document', id: '2' }, relation: 'viewer', subject: { type: 'team', id: 'eng', relation: 'member' } }],
      attributes: [{ entity: { type: 'document', id: '2' }, attribute: 'level', value: 3 }],
    });
    expect(BigInt(b.snapToken) > BigInt(a.snapToken)).toBe(true);
    expect((await engine.readRelationships({ tenant: 't1' })).tuples).toHaveLength(2);
    expect((await engine.readAttributes({ tenant: 't1' })).attributes).toEqual([{ entity: { type: 'document', id: '2' }, attribute: 'level', value: 3, valueType: 'integer' }]);
  });

  it.each([
    ['an unknown entity type', { tuples: ['folder:1#owner@user:alice'] }],
    ['an unknown relation', { tuples: ['document:1#editor@user:alice'] }],
    ['a permission as relation', { tuples: ['document:1#edit@user:alice'] }],
    ['a subject type the relation does not allow', { tuples: ['document:1#owner@team:eng'] }],
    ['a userset the relation does not allow', { tuples: ['document:1#owner@team:eng#member'] }],
    ['the implicit tenant relation', { tuples: ['document:1#tenant@tenant:t1'] }],
    ['a tuple whose subject is its own entity#relation', { tuples: ['team:eng#member@team:eng#member'] }],
    ['an unknown attribute', { attributes: ['document:1$secret|boolean:true'] }],
    ['an attribute of the wrong type', { attributes: ['document:1$public|integer:1'] }],
    ['an object attribute of the wrong type', { attributes: [{ entity: { type: 'document', id: '1' }, attribute: 'level', value: 1.5 }] }],
    ['a malformed tuple', { tuples: ['document:1#owner'] }],
  ])('rejects %s with InvalidRequestError and writes nothing', async (_, data) => {
    const engine = await Engine.create({ schema: SCHEMA });
    await expect(engine.write({ tenant: 't1', tuples: ['document:9#owner@user:ok'], ...data })).rejects.toBeInstanceOf(InvalidRequestError);
    expect((await engine.readRelationships({ tenant: 't1' })).tuples).toEqual([]);
  });

  it('rejects more than 1000 items in one write', async () => {
    const engine = await Engine.create({ schema: SCHEMA });
    const tuples = Array.from({ length: 1001 }, (_, i) => `document:${String(i)}#owner@user:alice`);
    await expect(engine.write({ tenant: 't1', tuples })).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it('treats writing an existing tuple as a no-op and replaces attributes', async () => {
    const engine = await Engine.create({ schema: SCHEMA });
    await engine.write({ tenant: 't1', tuples: ['document:1#owner@user:alice'], attributes: ['document:1$public|boolean:true'] });
    const seen: EngineChange[] = [];
    engine.watch((e) => seen.push(e));
    await engine.write({ tenant: 't1', tuples: ['document:1#owner@user:alice'], attributes: ['document:1$public|boolean:false'] });
    expect(seen[0]?.changes.map((c) => `${c.operation}:${c.tuple ? 'tuple' : String(c.attribute?.value)}`)).toEqual(['delete:true', 'create:false']);
    expect((await engine.readRelationships({ tenant: 't1' })).tuples).toHaveLength(1);
    expect((await engine.check({ tenant: 't1', subject: { type: 'user', id: 'zoe' }, action: 'view', resource: { type: 'document', id: '1' } })).allowed).toBe(false);
  });

  it('deletes by filter (empty fields are wildcards) and rejects a delete with nothing in it', async () => {
    const engine = await Engine.create({ schema: SCHEMA });
    await engine.write({ tenant: 't1', tuples: ['document:1#owner@user:alice', 'document:1#viewer@user:alice', 'document:2#viewer@user:bob'], attributes: ['document:1$public|boolean:true'] });
    await expect(engine.delete({ tenant: 't1' })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(engine.delete({ tenant: 't1', tupleFilter: {}, attributeFilter: {} })).rejects.toBeInstanceOf(InvalidRequestError);
    await engine.delete({ tenant: 't1', tupleFilter: { subject: { type: 'user', ids: ['alice'] } }, attributeFilter: { entity: { type: 'document' } } });
    expect((await engine.readRelationships({ tenant: 't1' })).tuples.map((t) => t.subject.id)).toEqual(['bob']);
    expect((await engine.readAttributes({ tenant: 't1' })).attributes).toEqual([]);
  });

  it('reads at a snap token exactly what was committed up to it', async () => {
    const engine = await Engine.create({ schema: SCHEMA });
    const a = await engine.write({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
    await engine.delete({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
    expect((await engine.readRelationships({ tenant: 't1', snapToken: a.snapToken })).tuples).toHaveLength(1);
    expect((await engine.readRelationships({ tenant: 't1' })).tuples).toHaveLength(0);
  });

  it('reports committed changes through watch (synchronously, before write resolves) and changesSince', async () => {
    const engine = await Engine.create({ schema: SCHEMA });
    const start = engine.headSnapToken('t1');
    let seenBeforeResolve = false;
    engine.watch(() => {
      seenBeforeResolve = true;
    });
    const { snapToken } = await engine.write({ tenant: 't1', tuples: ['document:1#owner@user:alice'] });
    expect(seenBeforeResolve).toBe(true);
    const changes = await engine.changesSince('t1', start);
    expect(changes.map((c) => [c.snapToken, c.kind])).toEqual([[snapToken, 'data']]);
    expect(engine.headSnapToken('t1')).toBe(snapToken);
  });
});

describe('Engine lookups, subject permissions, expand and explain', () => {
  async function fixture(): Promise<Engine> {
    const engine = await Engine.create({ schema: SCHEMA });
    await engine.write({
      tenant: 't1',
      tuples: ['document:1#owner@user:alice', 'document:2#viewer@team:eng#member', 'team:eng#member@user:bob', 'tenant:t1#admin@user:root'],
      attributes: ['document:3$public|boolean:true'],
    });
    return engine;
  }

  it('looks up entities, including ones only an attribute makes visible, with scope and paging', async () => {
    const engine = await fixture();
    expect((await engine.lookupEntity({ tenant: 't1', entityType: 'document', permission: 'view', subject: 'user:bob' })).ids).toEqual(['2', '3']);
    expect((await engine.lookupEntity({ tenant: 't1', entityType: 'document', permission: 'view', subject: 'user:bob', scope: { document: ['3'] } })).ids).toEqual(['3']);
    const first = await engine.lookupEntity({ tenant: 't1', entityType: 'document', permission: 'view', subject: 'user:root', pageSize: 2 });
    expect(first.ids).toEqual(['1', '2']);
    const next = await engine.lookupEntity({ tenant: 't1', entityType: 'document', permission: 'view', subject: 'user:root', pageSize: 2, continuousToken: first.continuousToken });
    expect(next).toEqual({ ids: ['3'], continuousToken: '' });
    expect((await engine.lookupEntity({ tenant: 't1', entityType: 'document', permission: 'edit', subject: 'user:bob', context: { tuples: ['document:9#owner@user:bob'] } })).ids).toEqual(['9']);
  });

  it('looks up subjects through usersets and tenant roles', async () => {
    const engine = await fixture();
    expect((await engine.lookupSubject({ tenant: 't1', entity: { type: 'document', id: '2' }, permission: 'view', subjectReference: { type: 'user' } })).ids).toEqual(['root', 'bob'].sort());
    expect((await engine.lookupSubject({ tenant: 't1', entity: { type: 'document', id: '2' }, permission: 'viewer', subjectReference: { type: 'team', relation: 'member' } })).ids).toEqual(['eng']);
  });

  it('answers every permission and relation in one pass', async () => {
    const engine = await fixture();
    const res = await engine.subjectPermissions({ tenant: 't1', entity: { type: 'document', id: '1' }, subject: alice });
    expect(res.permissions).toEqual({ owner: true, viewer: false, edit: true, view: true });
  });

  it('expands a permission into Permify\'s tree', async () => {
    const engine = await fixture();
    const { tree } = await engine.expand({ tenant: 't1', entity: { type: 'document', id: '2' }, permission: 'viewer' });
    expect(tree.expand?.operation).toBe('OPERATION_UNION');
    const leaf = tree.expand?.children[0]?.leaf as { subjects: { subjects: unknown[] } };
    expect(leaf.subjects.subjects).toEqual([{ type: 'team', id: 'eng', relation: 'member' }]);
    const nested = tree.expand?.children[1]?.leaf as { subjects: { subjects: unknown[] } };
    expect(nested.subjects.subjects).toEqual([{ type: 'user', id: 'bob', relation: '' }]);
  });

  it('explains which branch, tuple or attribute decided', async () => {
    const engine = await fixture();
    const viaTenant = await engine.explain({ tenant: 't1', subject: { type: 'user', id: 'root' }, action: 'edit', resource: { type: 'document', id: '1' } });
    expect(viaTenant.allowed).toBe(true);
    expect(JSON.stringify(viaTenant.tree)).toContain('tenant:t1#admin@user:root');
    const viaAttribute = await engine.explain({ tenant: 't1', subject: { type: 'user', id: 'zoe' }, action: 'view', resource: { type: 'document', id: '3' } });
    expect(JSON.stringify(viaAttribute.tree)).toContain('document:3$public=true (stored)');
    const denied = await engine.explain({ tenant: 't1', subject: { type: 'user', id: 'zoe' }, action: 'view', resource: { type: 'document', id: '1' } });
    expect(denied.allowed).toBe(false);
  });
});

describe('Engine with an RBAC file', () => {
  it('compiles roles to tenant relations and checks by type and by instance', async () => {
    const rbac = 'resources:\n  invoice:\n    actions: [read, pay]\nroles:\n  clerk:\n    invoice: [read]\n  boss:\n    invoice: [read, pay]\n';
    const engine = await Engine.create({ rbac });
    await engine.createTenant('acme');
    await engine.write({ tenant: 'acme', tuples: ['tenant:acme#clerk@user:carl', 'tenant:acme#boss@user:bea'] });
    const can = (user: string, action: string, id?: string): Promise<boolean> =>
      engine
        .check({ tenant: 'acme', subject: { type: 'user', id: user }, action, resource: id === undefined ? { type: 'invoice' } : { type: 'invoice', id } })
        .then((d) => d.allowed);
    expect(await can('carl', 'read')).toBe(true);
    expect(await can('carl', 'pay')).toBe(false);
    expect(await can('bea', 'pay', '7')).toBe(true);
    await expect(Engine.create({ rbac, schema: 'entity user {}' })).rejects.toBeInstanceOf(InvalidRequestError);
  });
});
