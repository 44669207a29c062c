import { describe, expect, it } from '@jest/globals';
import { Gatehouse, PdpUnavailableError } from '@gatehouse/core';
import { pinoDecisionSink } from '@gatehouse/core/pino';
import { pino } from 'pino';
import { Writable } from 'node:stream';

import { TablePdp } from './fixtures/table-pdp.js';

function capture(): { lines: any[]; stream: Writable } {
  const lines: any[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')));
      done();
    },
  });
  return { lines, stream };
}

describe('pinoDecisionSink', () => {
  it('writes one structured line per decision, failures at warn', async () => {
    const { lines, stream } = capture();
    const pdp = new TablePdp();
    pdp.grant('t1', 'user:alice', 'read', 'document:1');
    const gate = new Gatehouse({ pdp, onDecision: pinoDecisionSink(pino({ base: null }, stream)) });
    await gate.can('alice', 'read', 'document:1');
    pdp.failWith = new PdpUnavailableError('down');
    await gate.can('bob', 'read', 'document:1');
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 30, msg: 'gatehouse decision', tenant: 't1', subject: 'user:alice', action: 'read', resource: 'document:1', allowed: true, reason: 'allowed', cached: false });
    expect(lines[1]).toMatchObject({ level: 40, subject: 'user:bob', allowed: false, reason: 'pdp_unavailable' });
  });

  it('honours the level and message options', async () => {
    const { lines, stream } = capture();
    const pdp = new TablePdp();
    const gate = new Gatehouse({ pdp, onDecision: pinoDecisionSink(pino({ level: 'debug' }, stream), { level: 'debug', message: 'authz' }) });
    await gate.can('alice', 'read', 'document:1');
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toMatchObject({ level: 20, msg: 'authz', allowed: false, reason: 'denied' });
  });
});
