// Relationship reads resume: a page scans from where the previous one stopped, and a filter that matches little
// ends a page early (with a token) instead of scanning the whole tenant in one call.
import { parseTuple } from '@gatehouse/core';
import { MemoryStore } from '@gatehouse/engine';
import { describe, expect, it } from '@jest/globals';

describe('MemoryStore relationship reads', () => {
  it('end a page early on a sparse filter and still return every match once over the walk', async () => {
    const store = new MemoryStore();
    await store.open();
    const tuples = Array.from({ length: 150_000 }, (_, i) => parseTuple(`document:${String(i)}#viewer@user:u${String(i % 1000)}`));
    tuples.push(parseTuple('folder:f#viewer@user:rare'), parseTuple('document:x#viewer@user:rare'));
    await store.commit({ tenant: 't1', createTuples: tuples });
    const filter = { subject: { type: 'user', ids: ['rare'] } };
    const found: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const page = await store.readTuples('t1', filter, { pageSize: 10, continuousToken: token });
      found.push(...page.tuples.map((t) => `${t.entity.type}:${t.entity.id}`));
      token = page.continuousToken;
      pages++;
    } while (token !== '' && pages < 100);
    expect(found).toEqual(['folder:f', 'document:x']);
    // 150,002 rows at most 65,536 a page: the walk took several calls, the first of them empty.
    expect(pages).toBeGreaterThanOrEqual(3);
    // A dense filter fills its pages as before.
    const dense = await store.readTuples('t1', { entity: { type: 'document' } }, { pageSize: 100 });
    expect(dense.tuples).toHaveLength(100);
    expect(dense.continuousToken).not.toBe('');
  });
});
