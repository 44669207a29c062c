/**
 * The tenant-admin example in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core), by
 * accessible names: alice (acme admin) invites dave as viewer through <gatehouse-members>; dave accepts and
 * sees the documents a viewer sees; alice makes carol an editor and carol's open page shows the Edit buttons
 * without a reload; carol, who may grant only viewer, gets no admin control; the audit log lists the changes
 * in order. Screenshots go to test-output/tenant-admin/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';

import { startServer } from '../examples/tenant-admin/server.js';
import type { RunningServer } from '../examples/tenant-admin/server.js';
import { elementsCss } from '../packages/elements/src/styles.js';
import { describeWithChromium, launchChromium } from './fixtures/browser.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const shots = join(root, 'test-output/tenant-admin');
const describeBrowser = describeWithChromium('tenant-admin-browser');

describeBrowser('tenant-admin example in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  const pages: Page[] = [];

  async function signIn(user: string, tenant: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    const page = await context.newPage();
    pages.push(page);
    await page.goto(`${server.url}/login`);
    await page.getByLabel('User').selectOption(user);
    await page.getByLabel('Tenant').selectOption(tenant);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/`);
    return page;
  }

  const shot = async (page: Page, name: string): Promise<void> => {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  };

  const documentTitles = async (page: Page): Promise<string[]> =>
    await page.getByRole('list', { name: 'Documents' }).getByRole('listitem').locator('.title').allTextContents();

  beforeAll(async () => {
    browser = await launchChromium();
    // The custom-elements bundle the example serves, built from the current sources.
    execFileSync(process.execPath, [join(root, 'packages/elements/scripts/build.mjs')], { cwd: root, stdio: 'pipe' });
    mkdirSync(shots, { recursive: true });
    server = await startServer({ port: 0, host: '127.0.0.1' });
  }, 120_000);

  afterAll(async () => {
    // The last state of every page, for looking at when something failed.
    for (const [i, page] of pages.entries()) {
      await page.screenshot({ path: join(shots, `last-${String(i)}.png`), fullPage: true }).catch(() => undefined);
      await page.context().close();
    }
    await browser?.close();
    await server?.close();
  });

  it('lets alice invite dave as viewer, dave accept, carol be promoted live, and shows it all in the audit log', async () => {
    const problems: string[] = [];
    const watch = (page: Page, who: string): void => {
      page.on('pageerror', (err) => problems.push(`${who}: ${err.message}`));
      page.on('console', (msg) => {
        // The replayed token (410) and the refused lock-out (409) are answered on purpose below.
        if (msg.type() === 'error' && !/status of (409|410)\b/.test(msg.text())) problems.push(`${who}: ${msg.text()}`);
      });
    };

    // alice invites dave as a viewer; the link with the token is shown on the page in place of an email.
    const alice = await signIn('alice', 'acme');
    watch(alice, 'alice');
    await alice.getByRole('link', { name: 'Members' }).click();
    const members = alice.getByRole('region', { name: 'Members' });
    await expect(members.getByRole('row', { name: /Carol/ }).waitFor()).resolves.toBeUndefined();
    await alice.getByLabel('Email', { exact: true }).fill('dave@example.com');
    await alice.getByLabel('Name', { exact: true }).fill('Dave');
    expect(await alice.getByLabel('Role', { exact: true }).locator('option').allTextContents()).toEqual(['admin', 'editor', 'viewer']);
    await alice.getByLabel('Role', { exact: true }).selectOption('viewer');
    await alice.getByRole('button', { name: 'Invite' }).click();
    const link = alice.getByRole('region', { name: 'Invitation link' }).getByRole('link');
    await link.waitFor();
    const acceptUrl = (await link.getAttribute('href')) ?? '';
    expect(acceptUrl).toMatch(new RegExp(`^${server.url}/accept#token=[A-Za-z0-9_-]{43}$`));
    const token = decodeURIComponent(acceptUrl.split('#token=')[1] ?? '');
    expect(await alice.getByLabel('Invitation token (shown once)').inputValue()).toBe(token);
    await members.getByRole('row', { name: /dave@example\.com/ }).getByRole('cell', { name: 'invited' }).waitFor();
    await shot(alice, '1-alice-invited-dave');

    // dave sees nothing before accepting, then the documents a viewer sees, with no Edit button.
    const dave = await signIn('dave', 'acme');
    watch(dave, 'dave');
    await dave.getByText('You have no role in this tenant').waitFor();
    await dave.goto(acceptUrl);
    expect(await dave.getByLabel('Invitation token').inputValue()).toBe(token);
    expect(dave.url()).toBe(`${server.url}/accept`);
    await dave.getByRole('button', { name: 'Accept invitation' }).click();
    await dave.getByRole('status').getByText('You now hold: viewer').waitFor();
    await shot(dave, '2-dave-accepted');
    await dave.getByRole('link', { name: 'See the documents' }).click();
    await dave.getByRole('listitem').first().waitFor();
    expect(await documentTitles(dave)).toEqual(['Product roadmap', 'Pricing 2027', 'Employee handbook']);
    expect(await dave.getByRole('button', { name: /^Edit/ }).count()).toBe(0);
    await shot(dave, '3-dave-documents');

    // alice's open members view followed: dave is an active viewer now.
    await members.getByRole('row', { name: /Dave/ }).getByRole('cell', { name: 'active' }).waitFor({ timeout: 10_000 });

    // The token works once.
    await dave.goto(acceptUrl);
    await dave.getByRole('button', { name: 'Accept invitation' }).click();
    await dave.getByRole('alert').getByText(/Could not accept the invitation/).waitFor();

    // carol (an acme viewer) has her documents page open; alice makes her an editor; the Edit buttons appear.
    const carol = await signIn('carol', 'acme');
    watch(carol, 'carol');
    await carol.getByRole('listitem').first().waitFor();
    expect(await carol.getByRole('button', { name: /^Edit/ }).count()).toBe(0);
    expect(await carol.getByRole('link', { name: 'Members' }).count()).toBe(0);
    await carol.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    await carol.locator('html[data-change-stream="open"]').waitFor({ state: 'attached' });
    const carolRow = members.getByRole('row', { name: /Carol/ });
    expect(await carolRow.getByRole('checkbox', { name: 'viewer' }).isChecked()).toBe(true);
    await carolRow.getByRole('checkbox', { name: 'editor' }).check();
    await members.getByRole('status').getByText('Granted editor to Carol.').waitFor();
    await carol.getByRole('button', { name: 'Edit Product roadmap' }).waitFor({ timeout: 10_000 });
    expect(await carol.getByRole('button', { name: /^Edit/ }).count()).toBe(3);
    expect(await carol.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await shot(carol, '4-carol-edit-buttons-live');

    // The Edit buttons work: carol renames a document (the server checks `edit` again).
    await carol.getByRole('button', { name: 'Edit Pricing 2027' }).click();
    await carol.getByLabel('Title').fill('Pricing 2027 (draft)');
    await carol.getByRole('button', { name: 'Save' }).click();
    await carol.getByRole('button', { name: 'Edit Pricing 2027 (draft)' }).waitFor();

    // carol may grant only viewer: on the members page she gets viewer checkboxes and no admin or editor control.
    // Her navigation followed too: the Members link appeared (editors may view members); Audit log did not.
    await carol.getByRole('link', { name: 'Members' }).click();
    const carolView = carol.getByRole('region', { name: 'Members' });
    await carolView.getByRole('row', { name: /Dave/ }).waitFor();
    expect(await carolView.getByRole('checkbox', { name: 'viewer' }).count()).toBeGreaterThan(0);
    expect(await carolView.getByRole('checkbox', { name: 'admin' }).count()).toBe(0);
    expect(await carolView.getByRole('checkbox', { name: 'editor' }).count()).toBe(0);
    expect(await carolView.getByRole('button', { name: 'Remove' }).count()).toBe(0);
    expect(await carolView.getByRole('button', { name: 'Invite' }).count()).toBe(0);
    expect(await carol.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    await shot(carol, '5-carol-members');

    // A refused change is announced: alice may not remove herself, the last admin (lock-out).
    const aliceRow = members.getByRole('row', { name: /Alice/ });
    await aliceRow.getByRole('button', { name: 'Remove' }).click();
    await aliceRow.getByRole('button', { name: 'Confirm remove' }).press('Enter');
    await members.getByRole('alert').filter({ hasText: /Error/ }).waitFor();
    await shot(alice, '6-alice-lockout-refused');

    // The audit log lists the changes in commit order.
    await alice.getByRole('link', { name: 'Audit log' }).click();
    const audit = alice.getByRole('region', { name: 'Audit log' });
    await audit.getByRole('row', { name: /member\.role\.assign/ }).waitFor();
    const rows = async (): Promise<string[][]> =>
      await audit.locator('tbody tr').evaluateAll((trs) =>
        trs.map((tr) => Array.from(tr.querySelectorAll('td')).slice(1, 4).map((td) => td.textContent ?? '')),
      );
    const management = (await rows()).filter(([, action]) => !action?.startsWith('data.') && !action?.startsWith('schema.'));
    expect(management.map(([actor, action, target]) => [actor, action, target?.replace(/^invitation:.*/, 'invitation:…')])).toEqual([
      ['alice', 'member.invite', 'invitation:…'],
      ['dave', 'invitation.accept', 'user:dave'],
      ['alice', 'member.role.assign', 'user:carol'],
    ]);
    await shot(alice, '7-audit-log');

    // Filtered by action through the labelled filter form.
    await audit.getByLabel('Action').fill('invitation.accept');
    await audit.getByRole('button', { name: 'Apply filters' }).click();
    await audit.getByRole('row', { name: /member\.invite/ }).waitFor({ state: 'detached' });
    expect((await rows()).map(([, action]) => action)).toEqual(['invitation.accept']);
    await shot(alice, '8-audit-log-filtered');

    // The custom element's `strings` property renames its controls in place.
    await alice.locator('gatehouse-audit-log').evaluate((el) => {
      (el as HTMLElement & { strings: Record<string, string> }).strings = { apply: 'Filtern', clear: 'Zurücksetzen' };
    });
    await audit.getByRole('button', { name: 'Filtern' }).waitFor();
    expect(await audit.getByRole('button', { name: 'Apply filters' }).count()).toBe(0);
    expect((await rows()).map(([, action]) => action)).toEqual(['invitation.accept']);

    expect(problems).toEqual([]);
  }, 90_000);

  it('renders the React components with React 19 against the same routes, with overridden strings, showing hostile names as text', async () => {
    // A page of the app's origin that mounts <Members> and <AuditLog> with React itself (not the Preact build).
    const entry = `
      import { createElement as h, Fragment, useState } from 'react';
      import { createRoot } from 'react-dom/client';
      import { AuditLog, Members } from './packages/elements/src/index.ts';
      const root = createRoot(document.getElementById('root'));
      function App() {
        const [renders, setRenders] = useState(0);
        return h(Fragment, null,
          h('button', { type: 'button', onClick: () => setRenders(renders + 1) }, 'Render the page again'),
          h(Members, { baseUrl: '/api/admin', strings: { invite: 'Send invitation' }, onInvite: (r) => { window.invited = r.invitation.email; } }),
          h(AuditLog, { baseUrl: '/api/admin', locale: 'en-GB', pageSize: 2 }));
      }
      root.render(h(App));
    `;
    const bundle = await build({
      stdin: { contents: entry, resolveDir: root, sourcefile: 'react-admin.tsx', loader: 'tsx' },
      bundle: true, format: 'esm', platform: 'browser', target: 'es2022', jsx: 'automatic', write: false, logLevel: 'silent',
      define: { 'process.env.NODE_ENV': '"production"' },
    });
    const erin = await signIn('erin', 'globex');
    const errors: string[] = [];
    erin.on('pageerror', (err) => errors.push(err.message));
    await erin.route(`${server.url}/react-admin`, async (route) => {
      await route.fulfill({ contentType: 'text/html', body: '<!doctype html><html lang="en"><head><title>React admin</title><link rel="stylesheet" href="/react-admin.css"><script type="module" src="/react-admin.js"></script></head><body><main id="root"></main></body></html>' });
    });
    await erin.route(`${server.url}/react-admin.js`, async (route) => {
      await route.fulfill({ contentType: 'text/javascript', body: bundle.outputFiles[0]?.text ?? '' });
    });
    await erin.route(`${server.url}/react-admin.css`, async (route) => {
      await route.fulfill({ contentType: 'text/css', body: elementsCss });
    });
    const roleLists: string[] = [];
    erin.on('request', (request) => {
      if (request.url().endsWith('/api/admin/roles/list')) roleLists.push(request.url());
    });
    await erin.goto(`${server.url}/react-admin`);
    const members = erin.getByRole('region', { name: 'Members' });
    await members.getByRole('row', { name: /Carol/ }).waitFor();
    // The parent re-renders with a new inline `strings` object each time: the view does not load again.
    const loads = roleLists.length;
    for (let i = 0; i < 3; i++) await erin.getByRole('button', { name: 'Render the page again' }).click();
    await members.getByRole('row', { name: /Carol/ }).waitFor();
    expect(roleLists.length).toBe(loads);
    expect(await members.getByRole('row', { name: /Carol/ }).getByRole('checkbox', { name: 'editor' }).isChecked()).toBe(true);

    // A name full of markup is shown as text: no element is made from it.
    const hostile = '<img src=x onerror="window.pwned=1"><b>Mallory</b>';
    await erin.getByLabel('Email', { exact: true }).fill('mallory@example.com');
    await erin.getByLabel('Name', { exact: true }).fill(hostile);
    await erin.getByLabel('Role', { exact: true }).selectOption('viewer');
    await erin.getByRole('button', { name: 'Send invitation' }).click();
    await members.getByRole('row', { name: /mallory@example\.com/ }).waitFor();
    expect(await members.getByRole('row', { name: /mallory@example\.com/ }).getByRole('rowheader').textContent()).toContain(hostile);
    expect(await erin.locator('main img, main b').count()).toBe(0);
    expect(await erin.evaluate(() => (window as unknown as { pwned?: number; invited?: string }).pwned)).toBeUndefined();
    expect(await erin.evaluate(() => (window as unknown as { invited?: string }).invited)).toBe('mallory@example.com');

    // Role change and revocation through React, announced; the audit log (Refresh) lists both in order.
    await members.getByRole('row', { name: /Carol/ }).getByRole('checkbox', { name: 'viewer' }).check();
    await members.getByRole('status').getByText('Granted viewer to Carol.').waitFor();
    await members.getByRole('row', { name: /mallory@example\.com/ }).getByRole('button', { name: 'Revoke' }).click();
    await members.getByRole('row', { name: /mallory@example\.com/ }).waitFor({ state: 'detached' });
    expect(await erin.getByLabel('Invitation token (shown once)').count()).toBe(0);

    // Keyboard: Remove asks for confirmation with focus on it; Escape cancels and focus returns to Remove.
    const erinRow = members.getByRole('row', { name: /Erin/ });
    await erinRow.getByRole('button', { name: 'Remove' }).focus();
    await erin.keyboard.press('Enter');
    const confirm = erinRow.getByRole('button', { name: 'Confirm remove' });
    expect(await confirm.evaluate((el) => el === document.activeElement)).toBe(true);
    await erin.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    expect(await erinRow.getByRole('button', { name: 'Remove' }).evaluate((el) => el === document.activeElement)).toBe(true);
    const audit = erin.getByRole('region', { name: 'Audit log' });
    await audit.getByRole('button', { name: 'Refresh' }).click();
    await audit.getByRole('row', { name: /member\.role\.assign/ }).waitFor();
    // Pages of two: Load more brings the third entry, then says it is up to date.
    const actions = async (): Promise<string[]> => await audit.locator('tbody tr td:nth-child(3)').allTextContents();
    expect(await actions()).toEqual(['member.invite', 'member.role.assign']);
    await audit.getByRole('button', { name: 'Load more' }).click();
    await audit.getByRole('row', { name: /invitation\.revoke/ }).waitFor();
    expect(await actions()).toEqual(['member.invite', 'member.role.assign', 'invitation.revoke']);
    await audit.getByRole('button', { name: 'Load more' }).click();
    await audit.getByRole('status').getByText('Up to date: no newer entries.').waitFor();
    expect(await actions()).toEqual(['member.invite', 'member.role.assign', 'invitation.revoke']);
    await shot(erin, '9-react-components');
    expect(errors).toEqual([]);
  }, 60_000);
});
