import { afterEach, describe, expect, it } from '@jest/globals';
import { Gatehouse, InvalidRequestError } from '@gatehouse/core';
import type { Pdp, SchemaDriftEvent } from '@gatehouse/core';
import { RemotePdp } from '@gatehouse/core/remote';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { KEY, start } from './fixtures/server/helpers.js';
import type { Running } from './fixtures/server/helpers.js';
import { schemaHash as generatedHash } from './typed/gatehouse-schema.js';
import { fixture } from './fixtures/server/helpers.js';

const V1 = 'entity user {}\nentity document {\n  relation owner @user\n  permission edit = owner\n}\n';
const V2 = 'entity user {}\nentity document {\n  relation owner @user\n  permission edit = owner\n  permission view = owner\n}\n';

/** Wraps a PDP so a test can wait for every schema-hash read the client started (the event a report follows). */
function watched(pdp: Pdp): { pdp: Pdp; reads: Promise<unknown>[] } {
  const reads: Promise<unknown>[] = [];
  const wrapper: Pdp = {
    check: async (r, o) => await pdp.check(r, o),
    checkMany: async (r, o) => await pdp.checkMany(r, o),
    subjectPermissions: async (r, o) => await pdp.subjectPermissions(r, o),
    lookupResources: async (r, o) => await pdp.lookupResources(r, o),
    lookupSubjects: async (r, o) => await pdp.lookupSubjects(r, o),
    subscribe: (listener) => pdp.subscribe(listener),
  };
  wrapper.schemaHash = (tenant, options) => {
    const read = (pdp.schemaHash!).call(pdp, tenant, options);
    reads.push(read.catch(() => undefined));
    return read;
  };
  return { pdp: wrapper, reads };
}

const settled = async (reads: Promise<unknown>[]): Promise<void> => {
  await Promise.all(reads);
  await Promise.resolve();
};

describe('schema drift', () => {
  let running: Running | undefined;
  afterEach(async () => {
    await running?.server.close();
    running = undefined;
  });

  it('reports nothing while the embedded PDP has the schema the types were generated from, and once when it changes', async () => {
    const engine = await Engine.create({ schema: V1 });
    const base = new EmbeddedPdp(engine);
    const expected = await base.schemaHash('t1');
    const { pdp, reads } = watched(base);
    const events: SchemaDriftEvent[] = [];
    const gate = new Gatehouse({ pdp, schemaHash: expected!, onSchemaDrift: (e) => events.push(e) });
    await gate.can('alice', 'edit', 'document:1');
    await settled(reads);
    expect(reads).toHaveLength(1);
    expect(events).toEqual([]);

    await engine.writeSchema('t1', V2);
    await gate.can('alice', 'edit', 'document:2');
    await gate.can('alice', 'edit', 'document:3');
    await settled(reads);
    expect(reads).toHaveLength(2);
    expect(events).toEqual([{ tenant: 't1', expected, actual: await base.schemaHash('t1') }]);
    await gate.close();
    await engine.close();
  });

  it('a comment-only schema change is not drift', async () => {
    const engine = await Engine.create({ schema: V1 });
    const base = new EmbeddedPdp(engine);
    const expected = await base.schemaHash('t1');
    await engine.writeSchema('t1', `// reworded\n${V1}`);
    expect(await base.schemaHash('t1')).toBe(expected);
    await engine.close();
  });

  it('compares the generated file\'s hash with a PDP server\'s schema through RemotePdp', async () => {
    running = await start({ schema: fixture('docs.perm') });
    const remote = new RemotePdp({ url: running.url, apiKey: KEY, watch: false, timeoutMs: 5000 });
    expect(await remote.schemaHash('t1')).toBe(generatedHash);
    const { pdp, reads } = watched(remote);
    const events: SchemaDriftEvent[] = [];
    const fresh = new Gatehouse({ pdp, schemaHash: generatedHash, onSchemaDrift: (e) => events.push(e) });
    await fresh.can('alice', 'view', 'document:1');
    await settled(reads);
    expect(events).toEqual([]);
    const stale = new Gatehouse({ pdp, schemaHash: `sha256:${'0'.repeat(64)}`, onSchemaDrift: (e) => events.push(e) });
    await stale.can('alice', 'view', 'document:1');
    await settled(reads);
    expect(events).toEqual([{ tenant: 't1', expected: `sha256:${'0'.repeat(64)}`, actual: generatedHash }]);
    await fresh.close();
    await stale.close();
    await remote.close();
  });

  it('refuses a schemaHash that is not one gatehouse generate writes', () => {
    const pdp = { check: async () => ({ allowed: false }), subscribe: () => () => undefined } as unknown as Pdp;
    expect(() => new Gatehouse({ pdp, schemaHash: 'abc' })).toThrow(InvalidRequestError);
  });
});
