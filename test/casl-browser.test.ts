/**
 * The CASL front-end example in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
 * two users of two tenants see only the buttons Gatehouse allows, and a revoke on the server updates the
 * open page through the change stream, without a reload.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';

import { startServer } from '../examples/casl-frontend/server.js';
import type { RunningServer } from '../examples/casl-frontend/server.js';
import { describeWithChromium, launchChromium } from './fixtures/browser.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const exampleDir = join(root, 'examples/casl-frontend');
const describeBrowser = describeWithChromium('casl-browser');

async function visibleActions(page: Page): Promise<string[]> {
  const actions = await page.$$eval('[data-action]', (els) => els.map((e) => e.getAttribute('data-action') ?? ''));
  return actions.sort();
}

async function logIn(browser: Browser, url: string, user: string, tenant: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 900, height: 560 } });
  const page = await context.newPage();
  await page.goto(url);
  await page.selectOption('#user', user);
  await page.selectOption('#tenant', tenant);
  await page.click('#login');
  await page.waitForSelector('tr[data-doc]');
  return page;
}

describeBrowser('CASL front-end example in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    if (!existsSync(join(exampleDir, 'dist/index.html'))) {
      execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build'], { cwd: exampleDir, stdio: 'pipe' });
    }
    server = await startServer({ port: 0, host: '127.0.0.1' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows each user of each tenant only the Edit and Delete buttons Gatehouse allows, and updates on revoke without a reload', async () => {
    const bob = await logIn(browser, server.url, 'bob', 'acme');
    const dave = await logIn(browser, server.url, 'dave', 'globex');
    await bob.waitForSelector('[data-action="edit-roadmap"]');
    await dave.waitForSelector('[data-action="edit-plan"]');
    const rows = async (page: Page): Promise<(string | null)[]> =>
      await page.$$eval('tr[data-doc]', (trs) => trs.map((r) => r.getAttribute('data-doc')));

    // bob (acme editor and viewer, owner of notes): edits every document by type, deletes only his own.
    expect(await rows(bob)).toEqual(['roadmap', 'notes', 'handbook']);
    expect(await visibleActions(bob)).toEqual(['delete-notes', 'edit-handbook', 'edit-notes', 'edit-roadmap']);
    // dave (globex admin): everything in globex, and nothing of acme shows up.
    expect(await rows(dave)).toEqual(['plan']);
    expect(await visibleActions(dave)).toEqual(['delete-plan', 'edit-plan']);

    await bob.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const admin = (user: string, path: string, tuple: string): Promise<Response> =>
      fetch(`${server.url}/api/admin/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user}`, 'x-tenant-id': 'acme', 'content-type': 'application/json' },
        body: JSON.stringify({ tuple }),
      });

    // Revoke bob's editor role: the type-level edit goes, his own document stays editable.
    expect((await admin('alice', 'revoke', 'tenant:acme#editor@user:bob')).status).toBe(200);
    await bob.waitForSelector('[data-action="edit-roadmap"]', { state: 'detached', timeout: 10_000 });
    expect(await visibleActions(bob)).toEqual(['delete-notes', 'edit-notes']);
    expect(await bob.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await visibleActions(dave)).toEqual(['delete-plan', 'edit-plan']);

    // A non-admin may not revoke; nothing changes.
    expect((await admin('bob', 'revoke', 'document:notes#owner@user:bob')).status).toBe(403);

    // A grant shows up the same way.
    expect((await admin('alice', 'grant', 'document:roadmap#owner@user:bob')).status).toBe(200);
    await bob.waitForSelector('[data-action="delete-roadmap"]', { timeout: 10_000 });
    expect(await visibleActions(bob)).toEqual(['delete-notes', 'delete-roadmap', 'edit-notes', 'edit-roadmap']);

    mkdirSync(join(root, 'test-results'), { recursive: true });
    await bob.screenshot({ path: join(root, 'test-results/casl-frontend.png') });
    await bob.context().close();
    await dave.context().close();
  }, 60_000);
});
