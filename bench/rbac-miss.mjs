#!/usr/bin/env node
// rbac-miss (docs/architecture.md#performance-targets): RBAC with tenants, 100 tenants × 1,000 users × 10 roles, decision cache off.
// Ours: `await engine.check()` of @gatehouse/engine, a type-level check (`read` on `report`) granted through the
// implicit `tenant` relation (`permission read = tenant.analyst or …`), role assignments `tenant:<t>#<role>@user:<u>`
// stored in each tenant. Peer: casbin 5.51.1 `enforceSync()`, RBAC with domains (domain = tenant), the same data
// in both forms from the Casbin docs (protocols/peers.md): `shared_roles` (30 `p` lines with domain `*`,
// keyMatch on the domain; the ratio's peer) and `per_tenant` (3,000 `p` lines, canonical matcher; reported beside
// it). Every answer of ours is compared with casbin's. Prints one JSON line last.
import { performance } from 'node:perf_hooks';

const TENANTS = 100;
const USERS = 1000;
const ROLES = ['admin', 'editor', 'viewer', 'auditor', 'analyst', 'billing', 'support', 'owner', 'guest', 'manager'];
const OBJECTS = ['report', 'invoice', 'ticket', 'dashboard'];
const ACTIONS = ['read', 'write', 'remove'];
// 12 (object, action) permissions, 3 per role.
const PERMS = OBJECTS.flatMap((o) => ACTIONS.map((a) => [o, a]));
const grants = ROLES.map((_, r) => [0, 1, 2].map((k) => PERMS[(r * 5 + k * 4) % PERMS.length]));

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Every user has one role in 2 tenants (2,000 assignments). */
function assignments() {
  const out = [];
  for (let u = 0; u < USERS; u++) {
    out.push({ user: `u${u}`, tenant: `t${u % TENANTS}`, role: ROLES[u % ROLES.length] });
    out.push({ user: `u${u}`, tenant: `t${(u * 7 + 3) % TENANTS}`, role: ROLES[(u * 3 + 1) % ROLES.length] });
  }
  return out;
}

/** 10,000 requests: 80% in one of the user's tenants, 20% elsewhere. */
function requests(assigns) {
  const next = rng(42);
  const out = [];
  for (let i = 0; i < 10_000; i++) {
    const u = Math.floor(next() * USERS);
    const own = assigns[u * 2 + (next() < 0.5 ? 0 : 1)];
    const tenant = next() < 0.8 ? own.tenant : `t${Math.floor(next() * TENANTS)}`;
    const [obj, act] = PERMS[Math.floor(next() * PERMS.length)];
    out.push({ user: `u${u}`, tenant, obj, act });
  }
  return out;
}

function schema() {
  const lines = ['entity user {}', `entity tenant {\n${ROLES.map((r) => `  relation ${r} @user`).join('\n')}\n}`];
  for (const o of OBJECTS) {
    const perms = ACTIONS.map((a) => {
      const roles = ROLES.filter((_, r) => grants[r].some(([go, ga]) => go === o && ga === a));
      return roles.length === 0 ? '' : `  permission ${a} = ${roles.map((r) => `tenant.${r}`).join(' or ')}`;
    }).filter(Boolean);
    lines.push(`entity ${o} {\n${perms.join('\n')}\n}`);
  }
  return lines.join('\n');
}

async function ours(assigns, reqs) {
  const { Engine } = await import('@gatehouse/engine');
  const engine = await Engine.create({ schema: schema() });
  for (let t = 0; t < TENANTS; t++) if (`t${t}` !== 't1') await engine.createTenant(`t${t}`);
  for (let t = 0; t < TENANTS; t++) {
    const tuples = assigns.filter((a) => a.tenant === `t${t}`).map((a) => `tenant:${a.tenant}#${a.role}@user:${a.user}`);
    await engine.write({ tenant: `t${t}`, tuples });
  }
  const checks = reqs.map((r) => ({ tenant: r.tenant, subject: { type: 'user', id: r.user }, action: r.act, resource: { type: r.obj } }));
  const answers = [];
  for (const c of checks) answers.push((await engine.check(c)).allowed);
  const timed = checks;
  const run = async (rounds) => {
    for (let k = 0; k < rounds; k++) for (const c of timed) await engine.check(c);
  };
  await run(20);
  const results = [];
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    await run(40);
    results.push((40 * timed.length) / ((performance.now() - t0) / 1000));
  }
  await engine.close();
  results.sort((a, b) => a - b);
  return { checksPerSecond: results[1], answers };
}

// Every (object, action) pair is granted by some role, so every action is a permission of the schema.
if (new Set(grants.flat().map(([o, a]) => `${o}:${a}`)).size !== PERMS.length) throw new Error('a permission is granted by no role');

async function casbin(assigns, reqs, form) {
  const { newEnforcer, newModelFromString, StringAdapter } = await import('casbin');
  const matcher =
    form === 'shared_roles'
      ? 'g(r.sub, p.sub, r.dom) && keyMatch(r.dom, p.dom) && r.obj == p.obj && r.act == p.act'
      : 'g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act';
  const model = newModelFromString(`
[request_definition]
r = sub, dom, obj, act
[policy_definition]
p = sub, dom, obj, act
[role_definition]
g = _, _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = ${matcher}
`);
  const p = [];
  const domains = form === 'shared_roles' ? ['*'] : Array.from({ length: TENANTS }, (_, t) => `t${t}`);
  for (const d of domains) ROLES.forEach((role, r) => grants[r].forEach(([o, a]) => p.push(`p, ${role}, ${d}, ${o}, ${a}`)));
  const g = assigns.map((a) => `g, ${a.user}, ${a.role}, ${a.tenant}`);
  const enforcer = await newEnforcer(model, new StringAdapter([...p, ...g].join('\n')));
  const n = form === 'shared_roles' ? 50_000 : 1_000;
  const answers = reqs.slice(0, form === 'shared_roles' ? 2000 : 500).map((r) => enforcer.enforceSync(r.user, r.tenant, r.obj, r.act));
  for (let i = 0; i < Math.min(n / 10, 1000); i++) {
    const r = reqs[i % reqs.length];
    enforcer.enforceSync(r.user, r.tenant, r.obj, r.act);
  }
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = reqs[i % reqs.length];
    enforcer.enforceSync(r.user, r.tenant, r.obj, r.act);
  }
  return { checksPerSecond: n / ((performance.now() - t0) / 1000), answers, lines: p.length };
}

const target = 20;
let result;
try {
  const assigns = assignments();
  const reqs = requests(assigns);
  const o = await ours(assigns, reqs);
  const shared = await casbin(assigns, reqs, 'shared_roles');
  const perTenant = await casbin(assigns, reqs, 'per_tenant');
  let mismatches = 0;
  for (let i = 0; i < 2000; i++) if (o.answers[i] !== shared.answers[i] || (i < 500 && o.answers[i] !== perTenant.answers[i])) mismatches++;
  const allowed = o.answers.filter(Boolean).length / o.answers.length;
  const ratio = o.checksPerSecond / shared.checksPerSecond;
  result = {
    id: 'rbac-miss',
    ours: Math.round(o.checksPerSecond),
    peer: Math.round(shared.checksPerSecond),
    unit: 'checks/s',
    ratio: Math.round(ratio * 10) / 10,
    target: `>= ${target}x`,
    pass: ratio >= target && mismatches === 0,
    notes: `peer casbin 5.51.1 enforceSync, shared_roles (${shared.lines} p lines, keyMatch on domain); per_tenant (${perTenant.lines} p lines) ${Math.round(perTenant.checksPerSecond)}/s (ours ${Math.round(o.checksPerSecond / perTenant.checksPerSecond)}x); ${(allowed * 100).toFixed(1)}% allowed; answers differing from casbin: ${mismatches}/2000`,
  };
} catch (err) {
  result = { id: 'rbac-miss', ours: null, peer: null, unit: 'checks/s', ratio: null, target: `>= ${target}x`, pass: false, notes: `failed: ${err?.stack ?? err}` };
}
console.log(JSON.stringify(result));
