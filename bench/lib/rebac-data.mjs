// A ReBAC data set of about `n` tuples whose per-entity shape does not depend on n: organizations with 1 admin
// and 9 members, documents with an org, an owner and 2 viewers. Used by bench/scale.mjs, bench/memory.mjs, bench/rebac-miss.mjs and bench/postgres.mjs.

export const REBAC_SCHEMA = `
entity user {}
entity organization {
  relation admin @user
  relation member @user
  permission view = admin or member
}
entity document {
  relation org @organization
  relation owner @user
  relation viewer @user
  permission edit = owner or org.admin
  permission view = viewer or edit or org.member
}`;

/** Shape of a data set of about `n` tuples. */
export function shape(n) {
  const users = Math.max(1000, Math.floor(n / 50 / 10) * 10);
  const orgs = users / 10;
  const docs = Math.floor((n - users) / 4);
  return { users, orgs, docs };
}

/** Writes the data set through `engine.write` in batches of 1,000 (object form). */
export async function load(engine, n, tenant = 't1') {
  const { users, orgs, docs } = shape(n);
  let batch = [];
  const flush = async () => {
    if (batch.length > 0) await engine.write({ tenant, tuples: batch });
    batch = [];
  };
  const add = async (et, eid, rel, st, sid) => {
    batch.push({ entity: { type: et, id: eid }, relation: rel, subject: { type: st, id: sid } });
    if (batch.length === 1000) await flush();
  };
  for (let u = 0; u < users; u++) await add('organization', `o${Math.floor(u / 10)}`, u % 10 === 0 ? 'admin' : 'member', 'user', `u${u}`);
  for (let d = 0; d < docs; d++) {
    const org = d % orgs;
    await add('document', `d${d}`, 'org', 'organization', `o${org}`);
    await add('document', `d${d}`, 'owner', 'user', `u${(d * 7 + 3) % users}`);
    await add('document', `d${d}`, 'viewer', 'user', `u${(d * 13 + 5) % users}`);
    await add('document', `d${d}`, 'viewer', 'user', `u${(d * 17 + 11) % users}`);
  }
  await flush();
  return users + docs * 4;
}

/** A mix of checks over the data set: deep allowed (org admin edits), direct viewer, denied (another org's member). */
export function checks(n, count, tenant = 't1') {
  const { users, orgs, docs } = shape(n);
  let s = 12345;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const out = [];
  for (let i = 0; i < count; i++) {
    const d = Math.floor(next() * docs);
    const org = d % orgs;
    const kind = i % 3;
    const user = kind === 0 ? `u${org * 10}` : kind === 1 ? `u${(d * 13 + 5) % users}` : `u${((org + 1) % orgs) * 10 + 5}`;
    out.push({ tenant, subject: { type: 'user', id: user }, action: kind === 0 ? 'edit' : 'view', resource: { type: 'document', id: `d${d}` } });
  }
  return out;
}
