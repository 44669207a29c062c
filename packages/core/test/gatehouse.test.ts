import { afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  ClientClosedError,
  DepthExceededError,
  EvaluationError,
  Gatehouse,
  InvalidRequestError,
  NotFoundError,
  PdpUnavailableError,
} from '@gatehouse/core';
import type { DecisionEvent, Pdp } from '@gatehouse/core';
import { trace } from '@opentelemetry/api';
import type { Span, Tracer, TracerProvider } from '@opentelemetry/api';

import { TablePdp } from './fixtures/table-pdp.js';

function setup(options: Partial<ConstructorParameters<typeof Gatehouse>[0]> = {}): { pdp: TablePdp; gate: Gatehouse } {
  const pdp = new TablePdp();
  pdp.grant('t1', 'user:alice', 'read', 'document:1');
  pdp.grant('acme', 'user:alice', 'edit', 'document:42');
  pdp.grant('acme', 'team:eng#member', 'read', 'document:42');
  return { pdp, gate: new Gatehouse({ pdp, ...options }) };
}

describe('Gatehouse', () => {
  it('answers can() with a boolean and check() with a decision', async () => {
    const { gate } = setup();
    expect(await gate.can('alice', 'read', 'document:1')).toBe(true);
    expect(await gate.can('user:alice', 'edit', 'document:1')).toBe(false);
    expect(await gate.check({ tenant: 'acme', subject: 'team:eng#member', action: 'read', resource: 'document:42' }))
      .toMatchObject({ allowed: true, reason: 'allowed' });
  });

  it('uses defaultTenant when a call names no tenant', async () => {
    const { gate } = setup({ defaultTenant: 'acme' });
    expect(await gate.can('alice', 'edit', 'document:42')).toBe(true);
    expect(await gate.can('alice', 'read', 'document:1')).toBe(false);
  });

  it('rejects a bad tenant, subject, action, resource or context with InvalidRequestError and asks nothing', async () => {
    const { pdp, gate } = setup();
    await expect(gate.can('alice', 'read', 'document:1', { tenant: 'bad tenant!' })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(gate.can('', 'read', 'document:1')).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(gate.can('alice', 'read-it', 'document:1')).rejects.toThrow(/invalid action/);
    await expect(gate.can('alice', 'read', 'document:1 2')).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(gate.can('alice', 'read', 'document:1', { context: { tuples: ['nonsense'] } })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(gate.check(null as never)).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(gate.check({ subject: 'alice', action: 'read', resource: 'document:1', depth: 0 })).rejects.toThrow(/depth/);
    await expect(gate.checkMany([{ subject: 'alice', action: 'read', resource: 'document:1' }, { subject: 'alice', action: 'read', resource: '%' }]))
      .rejects.toBeInstanceOf(InvalidRequestError);
    expect(pdp.calls.items).toBe(0);
  });

  it('rejects invalid options at construction, naming the option', () => {
    const pdp = new TablePdp();
    expect(() => new Gatehouse({ pdp, timeoutMs: -5 })).toThrow(/options\.timeoutMs/);
    expect(() => new Gatehouse({ pdp: {} as Pdp })).toThrow(/options\.pdp/);
    expect(() => new Gatehouse({ pdp, defaultTenant: '' })).toThrow(InvalidRequestError);
    expect(() => new Gatehouse({ pdp, decisionLog: { sampleRate: 2 }, onDecision: () => undefined })).toThrow(/sampleRate/);
  });

  it.each([
    ['pdp_unavailable', new PdpUnavailableError('connection refused')],
    ['pdp_unavailable', new TypeError('socket hang up')],
    ['depth_exceeded', new DepthExceededError(20)],
    ['evaluation_error', new EvaluationError('missing context.data.ip')],
    ['invalid_request', new NotFoundError('no permission "fly"')],
  ])('fails closed with reason %s when the PDP throws %p', async (reason, error) => {
    const { pdp, gate } = setup();
    pdp.failWith = error;
    expect(await gate.check({ subject: 'alice', action: 'read', resource: 'document:1' })).toEqual({ allowed: false, reason });
    expect(await gate.can('alice', 'read', 'document:1')).toBe(false);
    expect(gate.stats.failures).toBe(2);
  });

  it('rejects with the typed error when throwOnError is set', async () => {
    const { pdp, gate } = setup({ throwOnError: true });
    pdp.failWith = new DepthExceededError(20);
    await expect(gate.can('alice', 'read', 'document:1')).rejects.toBeInstanceOf(DepthExceededError);
    pdp.failWith = new TypeError('boom');
    await expect(gate.can('alice', 'read', 'document:2')).rejects.toBeInstanceOf(PdpUnavailableError);
  });

  it('allows with reason fail_open when the caller asked for it and the PDP is down, and logs it', async () => {
    const events: DecisionEvent[] = [];
    const { pdp, gate } = setup({ onDecision: (e) => events.push(e), decisionLog: { sampleRate: 0 } });
    pdp.failWith = new PdpUnavailableError('down');
    const d = await gate.check({ subject: 'bob', action: 'read', resource: 'document:1', failOpen: true });
    expect(d).toEqual({ allowed: true, reason: 'fail_open' });
    expect(events).toEqual([expect.objectContaining({ subject: 'user:bob', allowed: true, reason: 'fail_open', cached: false })]);
    expect(gate.stats.failOpen).toBe(1);
  });

  it('warns about a fail-open allow when no onDecision listener is set, naming tenant, action and resource but not the subject, at most once a minute', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const { pdp, gate } = setup();
      pdp.failWith = new PdpUnavailableError('down');
      expect(await gate.check({ tenant: 'acme', subject: 'bob', action: 'read', resource: 'document:7', failOpen: true }))
        .toEqual({ allowed: true, reason: 'fail_open' });
      expect(warn).toHaveBeenCalledTimes(1);
      const line = String(warn.mock.calls[0]?.[0]);
      expect(line).toMatch(/fail-open/);
      expect(line).toContain('acme');
      expect(line).toContain('"read"');
      expect(line).toContain('document:7');
      expect(line).not.toContain('bob');
      expect(await gate.can('carol', 'read', 'document:8', { tenant: 'acme', failOpen: true })).toBe(true);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(await gate.check({ tenant: 'acme', subject: 'bob', action: 'read', resource: 'document:7' }))
        .toEqual({ allowed: false, reason: 'pdp_unavailable' });
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
    }
  });

  it('does not warn about fail-open when an onDecision listener records it', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const { pdp, gate } = setup({ onDecision: () => undefined });
      pdp.failWith = new PdpUnavailableError('down');
      expect(await gate.can('bob', 'read', 'document:1', { failOpen: true })).toBe(true);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('does not fail open on an evaluation error: that is the policy speaking, not an outage', async () => {
    const { pdp, gate } = setup();
    pdp.failWith = new EvaluationError('bad rule');
    expect(await gate.check({ subject: 'bob', action: 'read', resource: 'document:1', failOpen: true })).toEqual({ allowed: false, reason: 'evaluation_error' });
  });

  it('denies with pdp_unavailable when the PDP does not answer within timeoutMs, even if it ignores the signal', async () => {
    const hang = async (): Promise<never> => await new Promise<never>(() => undefined);
    const never: Pdp = {
      check: hang, checkMany: hang, subjectPermissions: hang, lookupResources: hang, lookupSubjects: hang,
      subscribe: () => () => undefined,
    };
    const gate = new Gatehouse({ pdp: never, timeoutMs: 30 });
    expect(await gate.check({ subject: 'alice', action: 'read', resource: 'document:1' })).toEqual({ allowed: false, reason: 'pdp_unavailable' });
    const uncached = new Gatehouse({ pdp: never, timeoutMs: 30, cache: false });
    expect(await uncached.check({ subject: 'alice', action: 'read', resource: 'document:1' })).toEqual({ allowed: false, reason: 'pdp_unavailable' });
  });

  it('passes the deadline to the PDP as an abort signal', async () => {
    const { pdp, gate } = setup({ timeoutMs: 20, cache: false });
    pdp.delayMs = 5000;
    expect(await gate.can('alice', 'read', 'document:1')).toBe(false);
    expect(pdp.aborts).toBe(1);
  });

  it('rejects with the abort reason when the caller aborts its signal', async () => {
    const { pdp, gate } = setup();
    pdp.delayMs = 50;
    const controller = new AbortController();
    const pending = gate.check({ subject: 'alice', action: 'read', resource: 'document:1' }, { signal: controller.signal });
    controller.abort(new Error('client went away'));
    await expect(pending).rejects.toThrow('client went away');
    await expect(gate.can('alice', 'read', 'document:1', { signal: AbortSignal.abort() })).rejects.toThrow();
  });

  it('binds a tenant and a subject: forTenant(), forSubject(), bind()', async () => {
    const { gate } = setup();
    const acme = gate.forTenant('acme');
    expect(acme.tenant).toBe('acme');
    expect(await acme.can('alice', 'edit', 'document:42')).toBe(true);
    expect((await acme.check('alice', 'read', 'document:42')).allowed).toBe(false);
    const alice = acme.forSubject('alice');
    expect(alice.subject).toEqual({ type: 'user', id: 'alice' });
    expect(await alice.can('edit', 'document:42')).toBe(true);
    expect(await gate.bind('acme', 'team:eng#member').can('read', 'document:42')).toBe(true);
    expect(await gate.bind('t1', 'alice').can('edit', 'document:42')).toBe(false);
    expect(() => gate.forTenant('no/slash')).toThrow(InvalidRequestError);
    expect(() => gate.bind('acme', 'a b')).toThrow(InvalidRequestError);
  });

  it('lets bound checks hit the cache', async () => {
    const { pdp, gate } = setup();
    const alice = gate.bind('acme', { type: 'user', id: 'alice' });
    await alice.can('edit', 'document:42');
    await alice.can('edit', 'document:42');
    expect(pdp.calls.items).toBe(1);
    expect(gate.stats.hits).toBe(1);
  });

  it('peek() answers synchronously from the cache only', async () => {
    const { pdp, gate } = setup();
    expect(gate.peek({ subject: 'alice', action: 'read', resource: 'document:1' })).toBeUndefined();
    await gate.can('alice', 'read', 'document:1');
    expect(gate.peek({ subject: 'alice', action: 'read', resource: 'document:1' })).toMatchObject({ allowed: true, cached: true });
    expect(gate.peek({ tenant: 'acme', subject: 'alice', action: 'read', resource: 'document:1' })).toBeUndefined();
    expect(gate.peek({ subject: { type: 'user', id: 'nobody' }, action: 'read', resource: 'document:1' })).toBeUndefined();
    expect(gate.peek({ subject: 'a b', action: 'read', resource: '!' })).toBeUndefined();
    expect(pdp.calls.items).toBe(1);
  });

  it('checkMany() answers in input order', async () => {
    const { gate } = setup();
    const ds = await gate.checkMany([
      { subject: 'alice', action: 'read', resource: 'document:1' },
      { subject: 'bob', action: 'read', resource: 'document:1' },
      { tenant: 'acme', subject: 'alice', action: 'edit', resource: 'document:42' },
    ]);
    expect(ds.map((d) => d.allowed)).toEqual([true, false, true]);
  });

  it('permissions() and lookupResources() ask the PDP and reject with the typed error when it fails', async () => {
    const { pdp, gate } = setup();
    expect(await gate.permissions({ tenant: 'acme', subject: 'alice', resource: 'document:42' })).toEqual({ read: false, edit: true });
    expect(await gate.bind('acme', 'alice').lookupResources('edit', 'document')).toEqual(['42']);
    expect(await gate.bind('acme', 'alice').permissions('document:42')).toEqual({ read: false, edit: true });
    pdp.failWith = new TypeError('down');
    await expect(gate.lookupResources({ subject: 'alice', action: 'read', resourceType: 'document' })).rejects.toBeInstanceOf(PdpUnavailableError);
    await expect(gate.permissions({ subject: 'alice', resource: 'document:1', tenant: '' })).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it('after close() stops listening to change events and rejects every call with ClientClosedError', async () => {
    const { pdp, gate } = setup();
    await gate.can('alice', 'read', 'document:1');
    const alice = gate.bind('t1', 'alice');
    await gate.close();
    expect(pdp.listenerCount).toBe(0);
    await expect(gate.can('alice', 'read', 'document:1')).rejects.toBeInstanceOf(ClientClosedError);
    await expect(gate.check({ subject: 'alice', action: 'read', resource: 'document:1' })).rejects.toThrow(/client is closed/);
    await expect(gate.checkMany([{ subject: 'alice', action: 'read', resource: 'document:1' }])).rejects.toBeInstanceOf(ClientClosedError);
    await expect(gate.permissions({ subject: 'alice', resource: 'document:1' })).rejects.toBeInstanceOf(ClientClosedError);
    await expect(gate.lookupResources({ subject: 'alice', action: 'read', resourceType: 'document' })).rejects.toBeInstanceOf(ClientClosedError);
    await expect(alice.can('read', 'document:1')).rejects.toMatchObject({ code: 'GH_ERR_CLOSED' });
    expect(gate.peek({ subject: 'alice', action: 'read', resource: 'document:1' })).toBeUndefined();
    expect(pdp.calls.items).toBe(1);
    await gate.close();
  });

  it('exposes the PDP it wraps', () => {
    const { pdp, gate } = setup();
    expect(gate.pdp).toBe(pdp);
  });
});

describe('Gatehouse decision log', () => {
  it('sends every decision, hits included, to onDecision with subject and resource in string form', async () => {
    const events: DecisionEvent[] = [];
    const { gate } = setup({ onDecision: (e) => events.push(e) });
    await gate.can('alice', 'read', 'document:1');
    await gate.can('alice', 'read', 'document:1');
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ tenant: 't1', subject: 'user:alice', action: 'read', resource: 'document:1', allowed: true, reason: 'allowed', cached: false });
    expect(events[1]).toMatchObject({ cached: true, ms: 0 });
    expect(typeof events[0]?.ms).toBe('number');
  });

  it('samples and redacts', async () => {
    const events: DecisionEvent[] = [];
    const none = setup({ onDecision: (e) => events.push(e), decisionLog: { sampleRate: 0 } });
    await none.gate.can('alice', 'read', 'document:1');
    expect(events).toHaveLength(0);
    const redacted = setup({ onDecision: (e) => events.push(e), decisionLog: { redact: (e) => ({ ...e, subject: 'redacted' }) } });
    await redacted.gate.can('alice', 'read', 'document:1');
    expect(events[0]?.subject).toBe('redacted');
    const dropped = setup({ onDecision: (e) => events.push(e), decisionLog: { redact: () => undefined } });
    await dropped.gate.can('alice', 'read', 'document:1');
    expect(events).toHaveLength(1);
  });

  it('keeps answering when the listener throws', async () => {
    const { gate } = setup({ onDecision: () => { throw new Error('sink down'); } });
    expect(await gate.can('alice', 'read', 'document:1')).toBe(true);
  });
});

class RecordingProvider implements TracerProvider {
  public readonly spans: { name: string; attributes: Record<string, unknown>; ended: boolean }[] = [];
  public getTracer(): Tracer {
    const spans = this.spans;
    const tracer = {
      startSpan(name: string): Span {
        const record = { name, attributes: {} as Record<string, unknown>, ended: false };
        spans.push(record);
        const span = {
          setAttributes: (a: Record<string, unknown>) => { Object.assign(record.attributes, a); return span; },
          setAttribute: (k: string, v: unknown) => { record.attributes[k] = v; return span; },
          setStatus: () => span,
          end: () => { record.ended = true; },
          isRecording: () => true,
        };
        return span as unknown as Span;
      },
    };
    return tracer as unknown as Tracer;
  }
}

describe('Gatehouse tracing', () => {
  afterEach(() => { trace.disable(); });

  it('starts no span while no tracer provider is registered', async () => {
    const provider = new RecordingProvider();
    const { gate } = setup();
    await gate.can('alice', 'read', 'document:1');
    expect(provider.spans).toHaveLength(0);
  });

  it('records one span per check with tenant, action, resource type, decision and cache hit, but no subject id', async () => {
    const provider = new RecordingProvider();
    trace.setGlobalTracerProvider(provider);
    const { gate } = setup();
    await gate.can('alice', 'read', 'document:1');
    await gate.can('alice', 'read', 'document:1');
    expect(provider.spans).toHaveLength(2);
    expect(provider.spans[0]).toMatchObject({
      name: 'gatehouse.check',
      ended: true,
      attributes: { 'gatehouse.tenant': 't1', 'gatehouse.action': 'read', 'gatehouse.resource.type': 'document', 'gatehouse.decision': 'allow', 'gatehouse.cache_hit': false },
    });
    expect(provider.spans[1]?.attributes['gatehouse.cache_hit']).toBe(true);
    expect(JSON.stringify(provider.spans)).not.toContain('alice');
  });

  it('puts the subject id on spans only with includeSubjectId', async () => {
    const provider = new RecordingProvider();
    trace.setGlobalTracerProvider(provider);
    const { gate } = setup({ tracing: { includeSubjectId: true } });
    await gate.can('alice', 'read', 'document:1');
    expect(provider.spans[0]?.attributes['gatehouse.subject']).toBe('user:alice');
  });
});
