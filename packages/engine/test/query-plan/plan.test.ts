import { describe, expect, it } from '@jest/globals';
import { BudgetExceededError, Gatehouse, InvalidRequestError, NotSupportedError } from '@gatehouse/core';
import type { Pdp } from '@gatehouse/core';

import { EmbeddedPdp, Engine } from '../../src/index.js';

const SCHEMA = `
entity user {}
entity tenant { relation admin @user relation member @user }
entity folder { relation viewer @user attribute shared boolean permission view = viewer or shared }
entity document {
  relation owner @user
  relation viewer @user
  relation banned @user
  relation folder @folder
  attribute public boolean
  attribute amount integer
  attribute status string
  attribute tags string[]
  permission view = owner or public or tenant.admin or folder.view
  permission edit = owner not banned
  permission cheap = check_amount(amount)
  permission draft = is_draft(status)
  permission fancy = fancy_rule(status)
  permission tagged = has_tag(tags)
  permission nothing = viewer and banned
  permission twice = owner or (owner and public)
}
rule check_amount(amount integer) { amount < 99.5 && !(amount == 7) }
rule is_draft(status string) { status in ["draft", "review"] || status != "x" && false }
rule fancy_rule(status string) { status.startsWith("a") }
rule has_tag(tags string[]) { "red" in tags }
`;

async function engineWith(data: { tuples?: string[]; attributes?: string[] } = {}, tenant = 't1'): Promise<Engine> {
  const engine = await Engine.create({ schema: SCHEMA });
  if (tenant !== 't1') await engine.createTenant(tenant);
  if ((data.tuples?.length ?? 0) + (data.attributes?.length ?? 0) > 0) await engine.write({ tenant, tuples: data.tuples ?? [], attributes: data.attributes ?? [] });
  return engine;
}

describe('query plans of the embedded engine', () => {
  it('turns ownership into ids, a boolean attribute into a column condition and a tenant role into always', async () => {
    const engine = await engineWith({ tuples: ['document:1#owner@user:alice', 'document:2#owner@user:bob', 'tenant:t1#admin@user:root'] });
    const alice = await engine.plan({ tenant: 't1', subject: 'user:alice', permission: 'view', entityType: 'document' });
    expect(alice).toEqual({ kind: 'conditional', condition: { or: [{ field: 'id', in: ['1'] }, { field: 'public', eq: true }] }, snapToken: expect.any(String) });
    const root = await engine.plan({ tenant: 't1', subject: 'user:root', permission: 'view', entityType: 'document' });
    expect(root.kind).toBe('always');
    const nobody = await engine.plan({ tenant: 't1', subject: 'user:zed', permission: 'edit', entityType: 'document' });
    expect(nobody.kind).toBe('never');
    await engine.close();
  });

  it('follows a hop to another type as ids computed from stored data (the folder\'s own attribute included)', async () => {
    const engine = await engineWith({
      tuples: ['document:3#folder@folder:f1', 'document:4#folder@folder:f2', 'document:5#folder@folder:f3', 'folder:f1#viewer@user:alice'],
      attributes: ['folder:f2$shared|boolean:true'],
    });
    const plan = await engine.plan({ tenant: 't1', subject: 'user:alice', permission: 'view', entityType: 'document' });
    expect(plan).toMatchObject({ kind: 'conditional', condition: { or: [{ field: 'public', eq: true }, { field: 'id', in: ['3', '4'] }] } });
    await engine.close();
  });

  it('drops a row once its ownership tuple is deleted, also when the subject keeps another tuple on it', async () => {
    const engine = await engineWith({
      tuples: ['document:1#owner@user:alice', 'document:2#owner@user:alice', 'document:2#viewer@user:alice', 'document:3#owner@user:alice', 'document:3#viewer@user:alice'],
    });
    await engine.delete({ tenant: 't1', tuples: ['document:2#owner@user:alice', 'document:3#viewer@user:alice'] });
    const plan = await engine.plan({ tenant: 't1', subject: 'user:alice', permission: 'view', entityType: 'document' });
    expect(plan).toMatchObject({ kind: 'conditional', condition: { or: [{ field: 'id', in: ['1', '3'] }, { field: 'public', eq: true }] } });
    await engine.close();
  });

  it('gives the same ids to a relation named twice in one permission', async () => {
    const engine = await engineWith({ tuples: ['document:1#owner@user:alice', 'document:2#viewer@user:alice'] });
    const plan = await engine.plan({ tenant: 't1', subject: 'user:alice', permission: 'twice', entityType: 'document' });
    expect(plan).toMatchObject({
      kind: 'conditional',
      condition: { or: [{ field: 'id', in: ['1'] }, { and: [{ field: 'id', in: ['1'] }, { field: 'public', eq: true }] }] },
    });
    await engine.close();
  });

  it('keeps exclusion as and/not over id sets', async () => {
    const engine = await engineWith({ tuples: ['document:1#owner@user:alice', 'document:2#owner@user:alice', 'document:2#banned@user:alice'] });
    const plan = await engine.plan({ tenant: 't1', subject: 'user:alice', permission: 'edit', entityType: 'document' });
    expect(plan).toMatchObject({ kind: 'conditional', condition: { and: [{ field: 'id', in: ['1', '2'] }, { not: { field: 'id', in: ['2'] } }] } });
    await engine.close();
  });

  it('translates rules over the row\'s own attributes into comparisons (integer bounds made exact)', async () => {
    const engine = await engineWith();
    const cheap = await engine.plan({ tenant: 't1', subject: 'user:alice', permission: 'cheap', entityType: 'document' });
    expect(cheap).toMatchObject({ kind: 'conditional', condition: { and: [{ field: 'amount', lt: 100 }, { not: { field: 'amount', eq: 7 } }] } });
    const draft = await engine.plan({ tenant: 't1', subject: 'user:alice', permission: 'draft', entityType: 'document' });
    expect(draft).toMatchObject({ kind: 'conditional', condition: { field: 'status', in: ['draft', 'review'] } });
    const tagged = await engine.plan({ tenant: 't1', subject: 'user:alice', permission: 'tagged', entityType: 'document' });
    expect(tagged).toMatchObject({ kind: 'conditional', condition: { field: 'tags', contains: 'red' } });
    await engine.close();
  });

  it('falls back to ids from stored attribute values for a rule the translator does not cover', async () => {
    const engine = await engineWith({ attributes: ['document:1$status|string:abc', 'document:2$status|string:xyz'] });
    const plan = await engine.plan({ tenant: 't1', subject: 'user:alice', permission: 'fancy', entityType: 'document' });
    expect(plan).toMatchObject({ kind: 'conditional', condition: { field: 'id', in: ['1'] } });
    await engine.close();
  });

  it('evaluates entity by entity when a path can come back to the row itself (its own attributes read again)', async () => {
    const engine = await Engine.create({
      schema: `entity user {}
        entity doc { relation owner @user relation parent @doc attribute flag boolean
          permission edit = flag
          permission view = owner or parent.edit }`,
    });
    // d1 is its own parent: view(d1) reads edit(d1) = d1's own flag, which lives in the row. d2's parent d3 has a
    // stored flag (another entity's fact).
    await engine.write({ tenant: 't1', tuples: ['doc:d1#parent@doc:d1', 'doc:d2#parent@doc:d3'], attributes: ['doc:d3$flag|boolean:true'] });
    const plan = await engine.plan({ tenant: 't1', subject: 'user:alice', permission: 'view', entityType: 'doc' });
    expect(plan).toMatchObject({
      kind: 'conditional',
      condition: { or: [{ and: [{ field: 'id', in: ['d1'] }, { field: 'flag', eq: true }] }, { field: 'id', in: ['d2'] }] },
    });
    await engine.close();
  });

  it('runs under the step budget: a plan too large for it is a BudgetExceededError', async () => {
    const engine = await Engine.create({ schema: SCHEMA, budget: { maxSteps: 100 } });
    await engine.write({ tenant: 't1', attributes: Array.from({ length: 200 }, (_, i) => `document:${String(i)}$status|string:a${String(i)}`) });
    await expect(engine.plan({ tenant: 't1', subject: 'user:alice', permission: 'fancy', entityType: 'document' })).rejects.toBeInstanceOf(BudgetExceededError);
    await engine.close();
  });

  it('walks from the subject only through entities a row can lead to: unrelated tuples of the subject cost no steps', async () => {
    const schema = (viaSpace: boolean): string => `
      entity user {}
      entity group { relation member @user }
      entity space { relation reader @group#member }
      entity document { relation owner @user ${viaSpace ? 'relation space @space permission view = owner or space.reader' : 'permission view = owner'} }`;
    const spaces = Array.from({ length: 300 }, (_, i) => `space:s${String(i)}#reader@group:g#member`);
    const tuples = ['group:g#member@user:alice', ...spaces, 'document:1#owner@user:alice'];
    // 300 spaces read through alice's group, but a document never leads to a group: the walk stops at it.
    const narrow = await Engine.create({ schema: schema(false), budget: { maxSteps: 100 } });
    await narrow.write({ tenant: 't1', tuples });
    await expect(narrow.plan({ tenant: 't1', subject: 'user:alice', permission: 'view', entityType: 'document' })).resolves.toMatchObject({
      kind: 'conditional',
      condition: { field: 'id', in: ['1'] },
    });
    await narrow.close();
    // When documents do lead to spaces, the walk goes through the group and finds the document in a space.
    const wide = await Engine.create({ schema: schema(true) });
    await wide.write({ tenant: 't1', tuples: [...tuples, 'document:2#space@space:s7', 'document:3#space@space:none'] });
    await expect(wide.plan({ tenant: 't1', subject: 'user:alice', permission: 'view', entityType: 'document' })).resolves.toMatchObject({
      kind: 'conditional',
      condition: { or: [{ field: 'id', in: ['1'] }, { field: 'id', in: ['2'] }] },
    });
    await wide.close();
  });

  it('never returns ids of another tenant', async () => {
    const engine = await engineWith({ tuples: ['document:b1#owner@user:alice'] }, 'other');
    await engine.write({ tenant: 't1', tuples: ['document:a1#owner@user:alice'] });
    const plan = await engine.plan({ tenant: 't1', subject: 'user:alice', permission: 'edit', entityType: 'document' });
    expect(plan).toMatchObject({ kind: 'conditional', condition: { field: 'id', in: ['a1'] } });
    await engine.close();
  });

  it('refuses contextual attributes of the planned type (the row holds them)', async () => {
    const engine = await engineWith();
    await expect(
      engine.plan({ tenant: 't1', subject: 'user:alice', permission: 'view', entityType: 'document', context: { attributes: ['document:1$public|boolean:true'] } }),
    ).rejects.toBeInstanceOf(InvalidRequestError);
    await engine.close();
  });

  it('is reachable from the client and a bound gate, and a PDP without plans is a typed error', async () => {
    const engine = await engineWith({ tuples: ['document:1#owner@user:alice'] });
    const gate = new Gatehouse({ pdp: new EmbeddedPdp(engine) });
    const plan = await gate.bind('t1', 'alice').plan('edit', 'document');
    expect(plan.kind).toBe('conditional');
    const bare: Pdp = { check: async () => ({ allowed: false }), checkMany: async () => [], subjectPermissions: async () => ({ permissions: {} }), lookupResources: async () => ({ ids: [] }), lookupSubjects: async () => ({ ids: [] }), subscribe: () => () => undefined };
    await expect(new Gatehouse({ pdp: bare }).plan('alice', 'view', 'document')).rejects.toBeInstanceOf(NotSupportedError);
    await engine.close();
  });
});
