// The interactive API documentation at /swagger-ui/ (issue 19) in Debian's chromium: the page
// loads from the binary alone (every request stays on the server's origin, no CDN), lists the
// operations of docs/openapi.json, and "Try it out" with a bearer token executes
// GET /api/auth/me against the running server.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import puppeteer from 'puppeteer-core';

const BASE = process.env.BASE_URL;
const ARTIFACTS = process.env.BROWSER_ARTIFACT_DIR;
const CUSTOMER = {email: 'test@example.com', password: 'password'};

let browser;
let userDataDir;

before(async () => {
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coffee-swagger-'));
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    userDataDir,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  fs.rmSync(userDataDir, {recursive: true, force: true});
});

describe('swagger-ui', () => {
  it('loads offline from the binary and executes GET /api/auth/me with a bearer token', async (t) => {
    const probe = await fetch(`${BASE}/swagger-ui/`);
    await probe.body?.cancel();
    if (probe.status === 404) {
      t.skip('this build has no /swagger-ui/ (built without npm)');
      return;
    }
    const login = await fetch(`${BASE}/api/auth/login`, {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify(CUSTOMER),
    });
    assert.equal(login.status, 200);
    const {access_token: token, user} = await login.json();

    const page = await browser.newPage();
    const problems = [];
    const foreign = [];
    page.on('pageerror', (error) => problems.push(String(error)));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('request', (req) => {
      if (!req.url().startsWith(BASE) && !req.url().startsWith('data:')) foreign.push(req.url());
    });
    const res = await page.goto(`${BASE}/swagger-ui/`, {waitUntil: 'networkidle0'});
    assert.equal(res.status(), 200);
    await page.waitForSelector('#operations-auth-me', {timeout: 30000});
    const operations = await page.$$eval('.opblock', (els) => els.length);
    assert.ok(operations > 40, `Swagger UI lists the operations (${operations})`);

    // Authorize with the access token.
    await page.click('.auth-wrapper .authorize');
    await page.waitForSelector('.modal-ux input[type=text]');
    await page.type('.modal-ux input[type=text]', token);
    await page.click('.modal-ux .auth-btn-wrapper .authorize');
    await page.click('.modal-ux .close-modal');

    // Try it out on GET /api/auth/me and execute it.
    const op = await page.$('#operations-auth-me');
    await (await op.$('.opblock-summary-control, .opblock-summary')).click();
    await page.waitForSelector('#operations-auth-me .try-out__btn');
    await page.click('#operations-auth-me .try-out__btn');
    await page.waitForSelector('#operations-auth-me .execute');
    await page.click('#operations-auth-me .execute');
    const row = '#operations-auth-me .live-responses-table tbody tr.response';
    await page.waitForSelector(`${row} .response-col_status`, {timeout: 30000});
    const status = await page.$eval(`${row} .response-col_status`, (el) => el.textContent.trim());
    const body = await page.$eval(`${row} .response-col_description .microlight`, (el) => el.textContent);
    if (ARTIFACTS) await page.screenshot({path: path.join(ARTIFACTS, 'swagger-ui.png'), fullPage: false});
    assert.match(status, /^200/);
    assert.equal(JSON.parse(body).email, user.email);
    assert.deepEqual(foreign, [], 'every request stays on the server (no CDN)');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
