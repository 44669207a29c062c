// Red-team probe of `gatehouse audit tail` against a hostile (or impersonated) server: what it prints reaches a
// terminal, so neither an entry nor an error message may carry a raw escape sequence (which could retitle the
// window, clear the screen or, on some terminals, write to the clipboard).
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { main } from '@gatehouse/pdp-server';

const ESC = '\u001b]52;c;cHduZWQ=\u0007\u001b[2J';
let answer: { status: number; body: string } = { status: 200, body: '{}' };
let hostile: Server;
let url = '';

beforeAll(async () => {
  hostile = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${String((hostile.address() as AddressInfo).port)}`;
});
afterAll(async () => {
  await new Promise((resolve) => hostile.close(resolve));
});

async function tail(): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['audit', 'tail', '--url', url, '--tenant', 'acme'], { stdout: (t) => (out += t), stderr: (t) => (err += t), env: {}, handleSignals: false });
  return { code, out, err };
}

describe('gatehouse audit tail against a hostile server', () => {
  it('prints no raw escape sequence from an error message', async () => {
    answer = { status: 403, body: JSON.stringify({ message: `${ESC}denied` }) };
    const r = await tail();
    expect(r.code).toBe(2);
    expect(r.err).toContain('denied');
    // eslint-disable-next-line no-control-regex
    expect(r.err).not.toMatch(/[\u001b\u0007]/);
  });

  it('prints entries as JSON, so escape sequences in them stay escaped', async () => {
    answer = { status: 200, body: JSON.stringify({ entries: [{ id: '1', actor: ESC, action: 'member.invite', details: { name: ESC } }], continuous_token: 'x' }) };
    let calls = 0;
    const first = answer;
    hostile.removeAllListeners('request');
    hostile.on('request', (req, res) => {
      req.resume();
      req.on('end', () => {
        calls++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(calls === 1 ? first.body : JSON.stringify({ entries: [], continuous_token: 'x' }));
      });
    });
    const r = await tail();
    expect(r.code).toBe(0);
    expect(r.out).toContain('\\u001b');
    // eslint-disable-next-line no-control-regex
    expect(r.out).not.toMatch(/[\u001b\u0007]/);
  });
});
