#!/usr/bin/env node
// cache-hit (docs/architecture.md#performance-targets): `await gate.check()` answered from a warm decision cache, against @casl/ability
// `ability.can()` on a 20-rule ability (18 plain rules, one conditional, one inverted; peers.md), in the same run.
// The PDP behind the cache is the real embedded engine (@gatehouse/engine EmbeddedPdp) with an RBAC + ownership
// schema in 10 tenants; 1,000 distinct warm keys are cycled. `gate.peek()` (synchronous, cache only) is reported
// beside it. ratio = ours / peer, target >= 0.5.
import { createMongoAbility, subject as tag } from '@casl/ability';
import { Gatehouse } from '@gatehouse/core';
import { EmbeddedPdp, Engine } from '@gatehouse/engine';
import { performance } from 'node:perf_hooks';

import { median, round } from './lib/stats.mjs';

const TARGET = 0.5;
const ROUNDS = 5;
const N = 2_000_000;
const SCHEMA = `entity user {}
entity tenant {
  relation admin @user
  relation viewer @user
}
entity document {
  relation owner @user
  permission read = owner or tenant.viewer or tenant.admin
  permission edit = owner or tenant.admin
}`;

async function setUpGate() {
  const engine = await Engine.create({ schema: SCHEMA });
  const tenants = Array.from({ length: 10 }, (_, t) => (t === 0 ? 't1' : `tenant-${t}`));
  for (const t of tenants.slice(1)) await engine.createTenant(t);
  for (const [t, tenant] of tenants.entries()) {
    const tuples = [];
    for (let u = 0; u < 20; u++) {
      if (u % 5 === 0) tuples.push(`tenant:${tenant}#admin@user:u${u}`);
      else if (u % 5 === 1) tuples.push(`tenant:${tenant}#viewer@user:u${u}`);
      for (let d = 0; d < 3; d++) tuples.push(`document:${t * 100 + u * 3 + d}#owner@user:u${u}`);
    }
    await engine.write({ tenant, tuples });
  }
  const gate = new Gatehouse({ pdp: new EmbeddedPdp(engine) });
  const inputs = [];
  for (let i = 0; i < 1000; i++) {
    const t = i % tenants.length;
    const u = (i * 7) % 20;
    const d = t * 100 + ((i * 13) % 60);
    inputs.push({ tenant: tenants[t], subject: `u${u}`, action: i % 3 === 0 ? 'edit' : 'read', resource: `document:${d}` });
  }
  const truth = await Promise.all(inputs.map(async (input) => (await gate.check(input)).allowed));
  return { engine, gate, inputs, truth };
}

function setUpCasl() {
  const rules = [];
  const subjects = ['Article', 'Comment', 'Post', 'Page', 'Tag', 'Category'];
  const actions = ['read', 'create', 'share'];
  for (const s of subjects) for (const a of actions) rules.push({ action: a, subject: s });
  rules.push({ action: 'update', subject: 'Article', conditions: { authorId: 'user-1' } });
  rules.push({ action: 'delete', subject: 'Settings', inverted: true });
  if (rules.length !== 20) throw new Error(`expected 20 rules, built ${rules.length}`);
  const ability = createMongoAbility(rules);
  const mine = tag('Article', { authorId: 'user-1' });
  const theirs = tag('Article', { authorId: 'user-2' });
  const cases = [
    ['read', 'Article'], // type_allow
    ['delete', 'Settings'], // type_deny (inverted)
    ['archive', 'Post'], // type_norule
    ['update', mine], // cond_match
    ['update', theirs], // cond_nomatch
  ];
  const expected = [true, false, false, true, false];
  cases.forEach(([a, s], i) => {
    if (ability.can(a, s) !== expected[i]) throw new Error(`CASL case ${i} answered wrongly`);
  });
  return { ability, cases };
}

async function oursRate(gate, inputs) {
  const k = inputs.length;
  let allowed = 0;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const d = await gate.check(inputs[i % k]);
    if (d.allowed) allowed++;
  }
  return { rate: (N * 1000) / (performance.now() - t0), allowed };
}

function peekRate(gate, inputs) {
  const k = inputs.length;
  let allowed = 0;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) if (gate.peek(inputs[i % k]).allowed) allowed++;
  return { rate: (N * 1000) / (performance.now() - t0), allowed };
}

function caslRate(ability, cases) {
  let allowed = 0;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const c = cases[i % 5];
    if (ability.can(c[0], c[1])) allowed++;
  }
  return { rate: (N * 1000) / (performance.now() - t0), allowed };
}

let result;
let engine;
try {
  const setup = await setUpGate();
  engine = setup.engine;
  const { gate, inputs, truth } = setup;
  const { ability, cases } = setUpCasl();
  // Answers served from the cache must be the engine's answers.
  let wrong = 0;
  for (let i = 0; i < inputs.length; i++) {
    const d = await gate.check(inputs[i]);
    if (d.allowed !== truth[i] || d.cached !== true) wrong++;
  }
  const statsBefore = gate.stats;
  const ours = [];
  const peeks = [];
  const peer = [];
  for (let r = 0; r < ROUNDS; r++) {
    ours.push((await oursRate(gate, inputs)).rate);
    peeks.push(peekRate(gate, inputs).rate);
    peer.push(caslRate(ability, cases).rate);
  }
  const hits = gate.stats.hits - statsBefore.hits;
  const misses = gate.stats.misses - statsBefore.misses;
  const o = median(ours);
  const p = median(peer);
  const ratio = o / p;
  await gate.close();
  result = {
    id: 'cache-hit',
    ours: Math.round(o),
    peer: Math.round(p),
    unit: 'checks/s',
    ratio: round(ratio, 2),
    target: `>= ${TARGET}x`,
    pass: ratio >= TARGET && wrong === 0 && misses === 0,
    notes:
      `await gate.check() on a warm cache, 1,000 keys in 10 tenants, EmbeddedPdp behind it (median of ${ROUNDS} rounds of ${N / 1e6} M); ` +
      `gate.peek() ${Math.round(median(peeks))}/s (${round(median(peeks) / p, 2)}x CASL); ` +
      `peer @casl/ability createMongoAbility 20 rules, can() mix of type allow/inverted deny/no rule/condition match/no match; ` +
      `hits ${hits}, misses ${misses}, wrong answers ${wrong}`,
  };
} catch (err) {
  result = { id: 'cache-hit', ours: null, peer: null, unit: 'checks/s', ratio: null, target: `>= ${TARGET}x`, pass: false, notes: `failed: ${err?.stack ?? err}` };
} finally {
  await engine?.close?.();
}
console.log(JSON.stringify(result));
