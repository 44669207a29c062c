import { DepthExceededError, EvaluationError, InvalidRequestError, NotFoundError } from '@gatehouse/core';
import type { CheckContext } from '@gatehouse/core';
import { Engine } from '@gatehouse/engine';
import { describe, expect, it } from '@jest/globals';

const DOCS = `
entity user {}
entity organization {
  relation admin @user
  relation member @user
}
entity team {
  relation member @user @team#member
}
entity document {
  relation org @organization
  relation owner @user
  relation viewer @user @team#member @organization#member
  relation banned @user
  attribute is_public boolean
  attribute min_level integer
  attribute label string
  permission edit = owner or org.admin
  permission view = (edit or viewer or is_public) not banned
  permission both = owner and viewer
  permission read_secret = view and has_level(min_level)
  permission labelled = is_label(label)
}
rule has_level(min_level integer) {
  context.data.level >= min_level
}
rule is_label(label string) {
  label == ''
}`;

async function engineWith(schema: string, tuples: string[] = [], attributes: string[] = []): Promise<Engine> {
  const engine = await Engine.create({ schema });
  if (tuples.length > 0 || attributes.length > 0) await engine.write({ tenant: 't1', tuples, attributes });
  return engine;
}

function can(engine: Engine, subject: string, action: string, resource: string, extra: { context?: CheckContext; depth?: number } = {}): Promise<boolean> {
  const [st = '', sidRel = ''] = subject.split(':');
  const [sid = '', srel] = sidRel.split('#');
  const [rt = '', rid] = resource.split(':');
  return engine
    .check({
      tenant: 't1',
      subject: srel === undefined ? { type: st, id: sid } : { type: st, id: sid, relation: srel },
      action,
      resource: rid === undefined ? { type: rt } : { type: rt, id: rid },
      ...extra,
    })
    .then((d) => d.allowed);
}

describe('check', () => {
  it('allows a subject that is the userset itself without reading data (self-match)', async () => {
    const engine = await engineWith(DOCS);
    expect(await can(engine, 'team:core#member', 'member', 'team:core')).toBe(true);
    expect(await can(engine, 'team:core#member', 'member', 'team:other')).toBe(false);
  });

  it('follows direct relations and nested usersets (team of teams)', async () => {
    const engine = await engineWith(DOCS, ['team:core#member@user:carol', 'team:all#member@team:core#member', 'document:d1#viewer@team:all#member']);
    expect(await can(engine, 'user:carol', 'viewer', 'document:d1')).toBe(true);
    expect(await can(engine, 'user:carol', 'view', 'document:d1')).toBe(true);
    expect(await can(engine, 'user:dave', 'view', 'document:d1')).toBe(false);
  });

  it('follows tuple-to-userset ignoring the relation on the tupleset subject', async () => {
    const engine = await engineWith(DOCS, ['organization:acme#admin@user:alice', 'document:d1#org@organization:acme']);
    expect(await can(engine, 'user:alice', 'edit', 'document:d1')).toBe(true);
    expect(await can(engine, 'user:bob', 'edit', 'document:d1')).toBe(false);
  });

  it('reads a boolean attribute leaf and treats a missing one as false', async () => {
    const engine = await engineWith(DOCS, [], ['document:d3$is_public|boolean:true']);
    expect(await can(engine, 'user:zoe', 'view', 'document:d3')).toBe(true);
    expect(await can(engine, 'user:zoe', 'view', 'document:d4')).toBe(false);
    expect(await can(engine, 'user:zoe', 'is_public', 'document:d3')).toBe(true);
  });

  it('evaluates exclusion as "a and not b" and intersection as "every child"', async () => {
    const engine = await engineWith(DOCS, ['document:d2#viewer@user:bob', 'document:d2#banned@user:bob', 'document:d2#owner@user:ann', 'document:d2#viewer@user:ann']);
    expect(await can(engine, 'user:bob', 'viewer', 'document:d2')).toBe(true);
    expect(await can(engine, 'user:bob', 'view', 'document:d2')).toBe(false);
    expect(await can(engine, 'user:ann', 'both', 'document:d2')).toBe(true);
    expect(await can(engine, 'user:bob', 'both', 'document:d2')).toBe(false);
  });

  it('calls rules with context data and zero values for missing attributes, and errors on a missing data key', async () => {
    const engine = await engineWith(DOCS, ['document:d1#owner@user:dave'], ['document:d1$min_level|integer:3']);
    expect(await can(engine, 'user:dave', 'read_secret', 'document:d1', { context: { data: { level: 5 } } })).toBe(true);
    expect(await can(engine, 'user:dave', 'read_secret', 'document:d1', { context: { data: { level: 1 } } })).toBe(false);
    await expect(can(engine, 'user:dave', 'read_secret', 'document:d1')).rejects.toBeInstanceOf(EvaluationError);
    // `label` is missing: the rule sees the string zero value "".
    expect(await can(engine, 'user:dave', 'labelled', 'document:d1')).toBe(true);
  });

  it('rejects a non-boolean value for a boolean attribute leaf with EvaluationError', async () => {
    const engine = await engineWith(DOCS);
    await expect(can(engine, 'user:zoe', 'view', 'document:d1', { context: { attributes: ['document:d1$is_public|string:yes'] } })).rejects.toBeInstanceOf(EvaluationError);
  });

  it('uses contextual tuples and attributes for that check only', async () => {
    const engine = await engineWith(DOCS, ['document:d2#viewer@organization:acme#member']);
    const context = { tuples: ['organization:acme#member@user:frank'] };
    expect(await can(engine, 'user:frank', 'view', 'document:d2', { context })).toBe(true);
    expect(await can(engine, 'user:frank', 'view', 'document:d2')).toBe(false);
    expect(await can(engine, 'user:zoe', 'view', 'document:d9', { context: { attributes: ['document:d9$is_public|boolean:true'] } })).toBe(true);
    expect(await can(engine, 'user:zoe', 'view', 'document:d9')).toBe(false);
  });

  it('prefers a contextual attribute for a boolean leaf but the stored one for a rule argument', async () => {
    const engine = await engineWith(DOCS, ['document:d1#owner@user:dave'], ['document:d1$is_public|boolean:false', 'document:d1$min_level|integer:3']);
    const attributes = ['document:d1$is_public|boolean:true', 'document:d1$min_level|integer:9'];
    expect(await can(engine, 'user:zoe', 'view', 'document:d1', { context: { attributes } })).toBe(true);
    // Stored min_level 3 wins over the contextual 9: level 5 passes.
    expect(await can(engine, 'user:dave', 'read_secret', 'document:d1', { context: { attributes, data: { level: 5 } } })).toBe(true);
  });

  it('rejects an exhausted depth budget with DepthExceededError (depth 3 passes, 2 fails on a 4-invoke chain)', async () => {
    const chain = `
      entity user {}
      entity bottom { relation member @user  permission check = member }
      entity middle { relation parent @bottom  permission check = parent.check }
      entity top { relation parent @middle  permission check = parent.check }`;
    const engine = await engineWith(chain, ['top:t#parent@middle:m', 'middle:m#parent@bottom:b', 'bottom:b#member@user:u']);
    expect(await can(engine, 'user:u', 'check', 'top:t', { depth: 3 })).toBe(true);
    await expect(can(engine, 'user:u', 'check', 'top:t', { depth: 2 })).rejects.toBeInstanceOf(DepthExceededError);
    await expect(can(engine, 'user:u', 'check', 'top:t', { depth: 2 })).rejects.toMatchObject({ code: 'GH_ERR_DEPTH_EXCEEDED' });
  });

  it('never overflows the stack on a deep chain: the budget rejects first, and so does an exhausted JS stack', async () => {
    const schema = 'entity user {}\nentity folder { relation parent @folder relation owner @user permission view = owner or parent.view }';
    const engine = await Engine.create({ schema, maxDepth: 10_000 });
    for (let k = 0; k < 5; k++) {
      const tuples = Array.from({ length: 1000 }, (_, i) => `folder:f${String(k * 1000 + i)}#parent@folder:f${String(k * 1000 + i + 1)}`);
      await engine.write({ tenant: 't1', tuples });
    }
    await engine.write({ tenant: 't1', tuples: ['folder:f5000#owner@user:x'] });
    await expect(can(engine, 'user:x', 'view', 'folder:f0', { depth: 50 })).rejects.toBeInstanceOf(DepthExceededError);
    await expect(can(engine, 'user:x', 'view', 'folder:f0', { depth: 10_000 })).rejects.toBeInstanceOf(DepthExceededError);
    await expect(engine.explain({ tenant: 't1', subject: { type: 'user', id: 'x' }, action: 'view', resource: { type: 'folder', id: 'f0' }, depth: 10_000 })).rejects.toBeInstanceOf(DepthExceededError);
    await expect(engine.expand({ tenant: 't1', entity: { type: 'folder', id: 'f0' }, permission: 'view' })).rejects.toBeInstanceOf(DepthExceededError);
    await expect(can(engine, 'user:x', 'view', 'folder:f4990', { depth: 30 })).resolves.toBe(true);
    await expect(Engine.create({ schema, maxDepth: 10_001 })).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it('lets the right branch of a union decide when the left one errors', async () => {
    const schema = `
      entity user {}
      entity document {
        relation owner @user
        attribute level integer
        permission view = needs_data(level) or owner
      }
      rule needs_data(level integer) { context.data.level > level }`;
    const engine = await engineWith(schema, ['document:1#owner@user:alice']);
    expect(await can(engine, 'user:alice', 'view', 'document:1')).toBe(true);
    await expect(can(engine, 'user:bob', 'view', 'document:1')).rejects.toBeInstanceOf(EvaluationError);
  });

  it('terminates on cyclic data with a denial, not an error', async () => {
    const engine = await engineWith(DOCS, ['team:a#member@team:b#member', 'team:b#member@team:a#member', 'team:b#member@user:x']);
    expect(await can(engine, 'user:x', 'member', 'team:a')).toBe(true);
    expect(await can(engine, 'user:y', 'member', 'team:a')).toBe(false);
    expect(await can(engine, 'user:y', 'member', 'team:b')).toBe(false);
  });

  it('does not memoise a result computed under a cycle cut', async () => {
    // Checking b walks b → a → (b: cut) first, so "a" is false on that path only; a fresh "a" reaches x
    // through b → c. The lookup checks b before a in one evaluation, with memoisation on (padding).
    const padding = Array.from({ length: 30 }, (_, i) => `team:p${String(i)}#member@user:z${String(i)}`);
    const engine = await engineWith(DOCS, [...padding, 'team:b#member@team:c#member', 'team:b#member@team:a#member', 'team:a#member@team:b#member', 'team:c#member@user:x']);
    const { ids } = await engine.lookupEntity({ tenant: 't1', entityType: 'team', permission: 'member', subject: 'user:x' });
    expect(ids).toEqual(['a', 'b', 'c']);
  });

  it('looks up entities reached through stored tuples, contextual tuples, attributes and self-match', async () => {
    const engine = await engineWith(
      DOCS,
      ['document:d2#viewer@organization:acme#member', 'team:core#member@user:carol', 'team:all#member@team:core#member', 'document:d1#viewer@team:all#member', 'document:d5#banned@user:carol'],
      ['document:d3$is_public|boolean:true'],
    );
    const lookup = (subject: string, permission: string, context?: CheckContext): Promise<string[]> =>
      engine.lookupEntity({ tenant: 't1', entityType: 'document', permission, subject, ...(context === undefined ? {} : { context }) }).then((r) => r.ids);
    expect(await lookup('user:carol', 'viewer')).toEqual(['d1']);
    expect(await lookup('user:carol', 'view')).toEqual(['d1', 'd3']);
    expect(await lookup('user:frank', 'viewer', { tuples: ['organization:acme#member@user:frank'] })).toEqual(['d2']);
    expect(await lookup('team:all#member', 'viewer')).toEqual(['d1']);
    const teams = await engine.lookupEntity({ tenant: 't1', entityType: 'team', permission: 'member', subject: 'team:core#member' });
    expect(teams.ids).toEqual(['all', 'core']);
  });

  it('looks up subjects over cyclic usersets without running away', async () => {
    const engine = await engineWith(DOCS, ['team:a#member@team:b#member', 'team:b#member@team:a#member', 'team:b#member@user:x', 'team:a#member@user:y']);
    const ids = await engine.lookupSubject({ tenant: 't1', entity: { type: 'team', id: 'a' }, permission: 'member', subjectReference: { type: 'user' } });
    expect(ids.ids).toEqual(['x', 'y']);
    const sets = await engine.lookupSubject({ tenant: 't1', entity: { type: 'team', id: 'a' }, permission: 'member', subjectReference: { type: 'team', relation: 'member' } });
    expect(sets.ids).toEqual(['a', 'b']);
  });

  it('rejects an unknown permission or entity type with NotFoundError', async () => {
    const engine = await engineWith(DOCS);
    await expect(can(engine, 'user:x', 'fly', 'document:1')).rejects.toBeInstanceOf(NotFoundError);
    await expect(can(engine, 'user:x', 'view', 'spaceship:1')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('gives the same answers whatever the order of writes (no timing dependence)', async () => {
    const tuples = ['organization:acme#admin@user:alice', 'document:d1#org@organization:acme', 'document:d1#banned@user:alice', 'document:d1#viewer@user:bob'];
    const a = await engineWith(DOCS, tuples);
    const b = await engineWith(DOCS, [...tuples].reverse());
    for (const [s, p] of [['user:alice', 'view'], ['user:alice', 'edit'], ['user:bob', 'view']] as const) {
      expect(await can(a, s, p, 'document:d1')).toBe(await can(b, s, p, 'document:d1'));
    }
  });
});

describe('tenant relation and type-level checks', () => {
  const SAAS = `
entity user {}
entity tenant {
  relation admin @user
  relation viewer @user
  relation editor @user
}
entity document {
  relation owner @user
  relation banned @user
  permission edit = owner or tenant.admin
  permission view = tenant.viewer not banned
  permission write = tenant.editor or tenant.admin
}
entity project {
  relation tenant @tenant
  permission manage = tenant.admin
}`;

  it('links every instance to tenant:<request tenant> when the entity declares no tenant member', async () => {
    const engine = await Engine.create({ schema: SAAS });
    await engine.createTenant('acme');
    await engine.createTenant('globex');
    await engine.write({ tenant: 'acme', tuples: ['tenant:acme#admin@user:bob'] });
    const check = (tenant: string, id?: string): Promise<boolean> =>
      engine.check({ tenant, subject: { type: 'user', id: 'bob' }, action: 'edit', resource: id === undefined ? { type: 'document' } : { type: 'document', id } }).then((d) => d.allowed);
    expect(await check('acme', '1')).toBe(true);
    expect(await check('globex', '1')).toBe(false);
    expect(await check('acme')).toBe(true);
  });

  it('allows a type-level check only when the permission holds for every instance (unknown is a denial)', async () => {
    const engine = await Engine.create({ schema: SAAS });
    await engine.write({ tenant: 't1', tuples: ['tenant:t1#admin@user:bob', 'tenant:t1#viewer@user:ann', 'document:1#owner@user:owen'] });
    const byType = (user: string, action: string): Promise<boolean> =>
      engine.check({ tenant: 't1', subject: { type: 'user', id: user }, action, resource: { type: 'document' } }).then((d) => d.allowed);
    expect(await byType('bob', 'edit')).toBe(true);
    expect(await byType('owen', 'edit')).toBe(false);
    expect(await byType('ann', 'view')).toBe(false);
    const perms = await engine.subjectPermissions({ tenant: 't1', entity: { type: 'document' }, subject: { type: 'user', id: 'bob' }, onlyPermission: true });
    expect(perms.permissions).toEqual({ edit: true, view: false, write: true });
  });

  it('grants the union of several roles a user holds in one tenant', async () => {
    const engine = await Engine.create({ schema: SAAS });
    await engine.write({ tenant: 't1', tuples: ['tenant:t1#viewer@user:eve', 'tenant:t1#editor@user:eve'] });
    const d = await engine.subjectPermissions({ tenant: 't1', entity: { type: 'document', id: '7' }, subject: { type: 'user', id: 'eve' }, onlyPermission: true });
    expect(d.permissions).toEqual({ edit: false, view: true, write: true });
  });

  it('evaluates an entity with its own tenant relation exactly as Permify (stored tuples only)', async () => {
    const engine = await Engine.create({ schema: SAAS });
    await engine.write({ tenant: 't1', tuples: ['tenant:t1#admin@user:bob', 'tenant:other#admin@user:carl', 'project:p#tenant@tenant:other'] });
    const manage = (user: string): Promise<boolean> =>
      engine.check({ tenant: 't1', subject: { type: 'user', id: user }, action: 'manage', resource: { type: 'project', id: 'p' } }).then((d) => d.allowed);
    expect(await manage('bob')).toBe(false);
    expect(await manage('carl')).toBe(true);
  });
});
