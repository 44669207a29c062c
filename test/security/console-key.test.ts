// Red-team probes of where the console (`gatehouse serve --ui`) keeps and sends the API key: never in a URL (which
// ends up in server logs, history and Referer headers), never in long-lived storage, never in a form the browser
// could submit by itself. These read the console's source and the server's CSP; the browser test
// (test/console-browser.test.ts) drives the page itself.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { CONSOLE_CSP } from '../../packages/pdp-server/src/routes/console-routes.js';

const SRC = new URL('../../packages/console/src/', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : /\.(ts|tsx)$/.test(name) ? [p] : [];
  });
}

describe('the console’s API key', () => {
  const files = sources(SRC).map((file) => ({ file, text: readFileSync(file, 'utf8') }));

  it('is sent only in the Authorization header: every line naming the key outside the session store sets that header', () => {
    expect(files.length).toBeGreaterThan(5);
    const uses = files.flatMap(({ file, text }) =>
      text
        .split('\n')
        .filter((line) => /\bthis\.key\b|\bapiKey\b/.test(line) && !/^\s*(\/\/|\*)/.test(line))
        .map((line) => ({ file: file.slice(SRC.length), line: line.trim() })),
    );
    expect(uses.length).toBeGreaterThan(0);
    for (const use of uses) {
      const ok = use.line.includes("authorization: `Bearer ${this.key}`") || /^(private|public|readonly|constructor|this\.key = )/.test(use.line) || use.file === 'session.ts';
      expect({ ...use, ok }).toEqual({ ...use, ok: true });
    }
  });

  it('never appears as a query parameter in a URL the console builds', () => {
    for (const { file, text } of files) {
      expect([file, /[?&](api_?key|key|token|access_token|authorization)=/i.exec(text)?.[0]]).toEqual([file, undefined]);
      expect([file, /EventSource\s*\(/.exec(text)?.[0]]).toEqual([file, undefined]);
    }
  });

  it('is kept for the tab only (sessionStorage), never in localStorage or a cookie', () => {
    for (const { file, text } of files) {
      expect([file, /localStorage|document\.cookie|indexedDB/.exec(text)?.[0]]).toEqual([file, undefined]);
    }
    expect(readFileSync(join(SRC, 'session.ts'), 'utf8')).toMatch(/sessionStorage/);
  });

  it('is typed into a password field the browser does not remember, in a form the CSP forbids the browser to submit', () => {
    const app = readFileSync(join(SRC, 'App.tsx'), 'utf8');
    expect(app).toMatch(/<input id="api-key" type="password" autoComplete="off"/);
    // Were the script to fail, a plain <form> would GET the page with the key in the query string: form-action
    // 'none' stops that, and no other directive may loosen what the page can load or run.
    expect(CONSOLE_CSP).toContain("form-action 'none'");
    expect(CONSOLE_CSP).toContain("base-uri 'none'");
    expect(CONSOLE_CSP).toContain("object-src 'none'");
    expect(CONSOLE_CSP).not.toMatch(/unsafe-|\*|http:|https:|data:\s*;?\s*script/);
  });
});
