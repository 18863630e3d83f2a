// Browser smoke test of the Tryton web client (sao) for ar_followup.
//
//   AR_URL=http://localhost:8123/ AR_DB=demo AR_LOGIN=admin \
//   AR_PASSWORD=admin AR_SCREENSHOTS=var/screenshots node browser/smoke.mjs
//
// Logs in, opens Financial › Invoices › Customer Invoices, opens the first
// posted invoice and checks that the form shows the follow-up fields of
// ar_followup; then opens Financial › Dunnings › Customer Risk, the first
// party and its "Credit & Risk" tab, and checks the exposure is shown.
// Exits non-zero with a message on the first failure.
// Uses Debian's Chromium (no browser download): CHROMIUM overrides its path.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {pathToFileURL} from 'node:url';

import {chromium} from 'playwright-core';

export const STEP_TIMEOUT = 60_000;  // hard limit of one step
export const ACTION_TIMEOUT = 30_000;  // limit of one click, fill or wait
export const TOTAL_TIMEOUT = 280_000;  // the whole run
export const CHROMIUM_ARGS = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
];
// Optional customisation files of sao that a plain install does not have
// and of the English translation (English is the source language)
const OPTIONAL_ASSETS = /\/(custom\.(js|css)|locale\/en(_[A-Z]+)?\.json)(\?|$)/;

export class SmokeError extends Error {}

function fail(message) {
    throw new SmokeError(message);
}

export function settings(env = process.env) {
    const missing = ['AR_URL', 'AR_DB', 'AR_LOGIN', 'AR_PASSWORD']
        .filter(name => !env[name]);
    if (missing.length) {
        fail(`missing environment variable(s): ${missing.join(', ')}`);
    }
    return {
        url: env.AR_URL,
        database: env.AR_DB,
        login: env.AR_LOGIN,
        password: env.AR_PASSWORD,
        screenshots: env.AR_SCREENSHOTS || 'screenshots',
        executablePath: env.CHROMIUM || '/usr/bin/chromium',
    };
}

// Wait until sao has nothing more to fetch; bounded because a long polling
// bus would never let the network be idle.
export async function settle(page, timeout = 10_000) {
    await page.waitForLoadState('networkidle', {timeout}).catch(() => {});
    await page.locator('#processing').waitFor({state: 'hidden', timeout})
        .catch(() => {});
}

// Texts of the visible dialogs, to tell why a step failed
async function dialogs(page) {
    const texts = await page.locator('.modal-dialog:visible')
        .allInnerTexts().catch(() => []);
    return texts.map(t => t.replace(/\s+/g, ' ').trim()).filter(Boolean);
}

export async function login(page, {url, database, login, password}) {
    await page.goto(url, {waitUntil: 'load'});
    await settle(page);
    const dialog = page.locator('.login-dialog');
    await dialog.waitFor({state: 'visible'});
    // sao shows a select when the server lists its databases, else an input
    const select = dialog.locator('select#database');
    if (await select.isVisible()) {
        await select.selectOption(database);
    } else {
        // A server started with -d shows its database read-only
        const input = dialog.locator('input#database');
        if (await input.isEditable()) {
            await input.fill(database);
        } else if (await input.inputValue() !== database) {
            fail(`the server serves the database "${
                await input.inputValue()}", not "${database}"`);
        }
    }
    await dialog.locator('input#login').fill(login);
    await dialog.getByRole('button', {name: 'Login'}).click();
    const ask = page.locator('.ask-dialog');
    const passwordInput = ask.locator('input[type=password]');
    await passwordInput.waitFor({state: 'visible'});
    await passwordInput.fill(password);
    await passwordInput.press('Enter');
    await ask.waitFor({state: 'hidden'});
    // The main menu is a tree of the menu entries in #menu; on the first
    // login of a new database the module configuration wizard opens first
    // and the menu loads only once it is closed.
    const menu = page.locator('#menu tbody tr').first();
    const wizard = currentTab(page).filter({hasText: 'Module Configuration'})
        .getByRole('button', {name: 'Cancel'});
    const deadline = Date.now() + ACTION_TIMEOUT;
    while (!await menu.isVisible()) {
        if (Date.now() > deadline) {
            fail(`no menu after login; dialogs: ${await dialogs(page)}`);
        }
        if (await wizard.isVisible()) {
            console.log('closing the module configuration wizard');
            // A click before the wizard is ready is lost: click again
            await wizard.click();
            await wizard.waitFor({state: 'hidden', timeout: 3_000})
                .catch(() => {});
        }
        await page.waitForTimeout(250);
    }
    await settle(page);
}

async function menuRowIndex(page, names, start) {
    // Index among the visible menu rows of the first row after start whose
    // text is exactly one of names; the children of an expanded row follow
    // it, so the first match after the parent is its child.
    return page.locator('#menu tbody tr').evaluateAll(
        (rows, [names, start]) => {
            const visible = rows.filter(r => r.offsetParent !== null);
            for (let i = start + 1; i < visible.length; i++) {
                const text = visible[i].innerText.replace(/\s+/g, ' ').trim();
                if (names.includes(text)) {
                    return i;
                }
            }
            return -1;
        }, [names, start]);
}

// Open the menu entry at path (["Financial", "Invoices", ...]): expand each
// parent and activate (double-click) the last entry.
export async function openMenu(page, menuPath) {
    const rows = page.locator('#menu tbody tr:visible');
    let index = -1;
    for (const [depth, name] of menuPath.entries()) {
        let found = -1;
        const deadline = Date.now() + ACTION_TIMEOUT;
        // The children of the previous entry are loaded asynchronously
        while ((found = await menuRowIndex(page, [name], index)) < 0) {
            if (Date.now() > deadline) {
                fail(`menu entry "${menuPath.slice(0, depth + 1)
                    .join(' › ')}" not found`);
            }
            await page.waitForTimeout(250);
        }
        index = found;
        const row = rows.nth(index);
        if (depth < menuPath.length - 1) {
            // A click on a collapsed row expands it (never collapses it)
            await row.locator('td:visible').first().click();
            await settle(page, 5_000);
        } else {
            await row.locator('td:visible').first().dblclick();
        }
    }
    // The action opens in a new tab whose title is the entry name
    const title = menuPath[menuPath.length - 1];
    await page.locator('#tablist li.active, .nav-tabs li.active')
        .filter({hasText: title}).first().waitFor({state: 'visible'})
        .catch(async () => fail(`no tab "${title}" opened; dialogs: ${
            await dialogs(page)}`));
    await settle(page);
}

// The active tab of the main tab bar
export function currentTab(page) {
    // the panes of the other tabs stay in the page, hidden, with their own
    // active domain pane: only a visible one is the current tab
    return page.locator('#tabcontent > .tab-pane.active:visible, ' +
        '.tab-content > .tab-pane.active:visible').first();
}

// Select the domain tab (e.g. "Posted") of the list in the current tab
export async function selectDomain(page, name) {
    const tab = currentTab(page).locator('.nav-tabs [role=tab]')
        .filter({hasText: new RegExp(`^\\s*${name}\\b`)}).first();
    if (!await tab.isVisible()) {
        return false;
    }
    await tab.click();
    await settle(page);
    // Wait for the rows when the tab counts some records
    const count = await tab.locator('.badge').innerText().catch(() => '');
    if (/^[1-9]/.test(count.trim())) {
        await currentTab(page).locator('table.tree tbody tr:visible')
            .filter({has: page.locator('td[data-title]')}).first()
            .waitFor({state: 'visible'});
    }
    return true;
}

// Open the first record of the list of the current tab into its form
export async function openFirstRecord(page) {
    const pane = currentTab(page);
    const row = pane.locator('table.tree tbody tr:visible')
        .filter({has: page.locator('td[data-title]')}).first();
    await row.waitFor({state: 'visible'}).catch(() => fail(
        'the list of the current tab has no record'));
    // Double-click a data cell (not the selection check box)
    await row.locator('td[data-title]:visible').first().dblclick();
    await pane.locator('.form').first().waitFor({state: 'visible'})
        .catch(async () => fail(
            `no form opened; dialogs: ${await dialogs(page)}`));
    await settle(page);
}

// The value shown by the widget that a form label names
export async function fieldValue(page, label) {
    const pane = currentTab(page);
    const labelEl = pane.locator('label', {hasText: label}).first();
    await labelEl.waitFor({state: 'visible'}).catch(() => fail(
        `the form shows no label "${label}"`));
    const widget = pane.getByLabel(label, {exact: true}).first();
    if (!await widget.count()) {
        fail(`no widget labelled by "${label}"`);
    }
    return (await widget.inputValue().catch(() => widget.innerText())).trim();
}

export class Smoke {
    constructor(options) {
        this.options = options;
        this.count = 0;
        this.problems = [];  // console errors and missing assets
    }

    async screenshot(name) {
        const file = path.join(this.options.screenshots,
            `${String(this.count).padStart(2, '0')}-${name}.png`);
        await this.page.screenshot({path: file, fullPage: true})
            .catch(error => console.error(`screenshot ${file}: ${error}`));
        return file;
    }

    // Run fn as a bounded step with a screenshot after it
    async step(name, fn) {
        this.count++;
        const started = Date.now();
        let timer;
        const limit = new Promise((_, reject) => {
            timer = setTimeout(() => reject(new SmokeError(
                `step "${name}" took more than ${STEP_TIMEOUT / 1000} s`)),
                STEP_TIMEOUT);
        });
        try {
            const result = await Promise.race([fn(this.page), limit]);
            const file = await this.screenshot(name);
            console.log(`ok ${this.count} ${name} (${
                ((Date.now() - started) / 1000).toFixed(1)} s) ${file}`);
            return result;
        } catch (error) {
            const file = await this.screenshot(`${name}-FAILED`);
            error.message = `step "${name}" failed: ${error.message}` +
                ` (screenshot ${file})`;
            throw error;
        } finally {
            clearTimeout(timer);
        }
    }

    watch(page) {
        page.on('response', response => {
            if (response.status() >= 400
                    && !OPTIONAL_ASSETS.test(response.url())) {
                this.problems.push(
                    `HTTP ${response.status()} ${response.url()}`);
            }
        });
        page.on('requestfailed', request => {
            // sao revokes the object URLs of its icons once drawn
            if (!OPTIONAL_ASSETS.test(request.url())
                    && !request.url().startsWith('blob:')) {
                this.problems.push(`failed ${request.url()}: ${
                    request.failure()?.errorText}`);
            }
        });
        page.on('pageerror', error => this.problems.push(
            `page error: ${error.message}`));
        page.on('console', message => {
            if (message.type() === 'error'
                    && !OPTIONAL_ASSETS.test(message.location()?.url || '')
                    && !/Failed to load resource/.test(message.text())) {
                this.problems.push(`console: ${message.text()}`);
            }
        });
    }

    // Start Chromium on a new profile, its page watched
    async launch(viewport = {width: 1400, height: 900}) {
        const {options} = this;
        fs.mkdirSync(options.screenshots, {recursive: true});
        if (!fs.existsSync(options.executablePath)) {
            fail(`no Chromium at ${options.executablePath}`);
        }
        this.profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-smoke-'));
        this.context = await chromium.launchPersistentContext(this.profile, {
            executablePath: options.executablePath,
            headless: true,
            args: CHROMIUM_ARGS,
            viewport,
            locale: 'en-US',
            timeout: ACTION_TIMEOUT,
        });
        this.page = this.context.pages()[0] || await this.context.newPage();
        this.page.setDefaultTimeout(ACTION_TIMEOUT);
        this.page.setDefaultNavigationTimeout(ACTION_TIMEOUT);
        this.watch(this.page);
    }

    async run() {
        const {options} = this;
        await this.launch();

        await this.step('login', page => login(page, options));
        if (this.problems.length) {
            fail(`the web client did not load cleanly:\n  ${
                this.problems.join('\n  ')}`);
        }
        await this.step('customer-invoices', async page => {
            await openMenu(page, ['Financial', 'Invoices', 'Customer Invoices']);
            // The follow-up fields have a value on posted invoices only
            await selectDomain(page, 'Posted');
        });
        await this.step('invoice-form', page => openFirstRecord(page));
        await this.step('followup-fields', async page => {
            const level = await fieldValue(page, 'Follow-up Level:');
            const days = await fieldValue(page, 'Days Overdue:');
            if (!days) {
                fail('the field "Days Overdue:" is empty');
            }
            if (!/^\d[\d\s,.\u00a0\u202f]*$/.test(days)) {
                fail(`the field "Days Overdue:" shows "${days}"`);
            }
            console.log(`Follow-up Level: "${level}", Days Overdue: "${days}"`);
            await currentTab(page).locator('label', {hasText: 'Days Overdue:'})
                .scrollIntoViewIfNeeded();
        });
        await this.step('customer-risk', async page => {
            await openMenu(page, ['Financial', 'Dunnings', 'Customer Risk']);
            await selectDomain(page, 'All');
        });
        await this.step('party-form', page => openFirstRecord(page));
        await this.step('credit-risk-tab', async page => {
            const tab = currentTab(page).locator('.nav-tabs [role=tab]')
                .filter({hasText: 'Credit & Risk'}).first();
            await tab.waitFor({state: 'visible'}).catch(() => fail(
                'the party form has no tab "Credit & Risk"'));
            await tab.click();
            await settle(page);
            const exposure = await fieldValue(page, 'Exposure:');
            if (!/\d/.test(exposure)) {
                fail(`the field "Exposure:" shows "${exposure}"`);
            }
            // the score section of the tab
            await fieldValue(page, 'Risk Class:');
            console.log(`Credit & Risk: Exposure "${exposure}"`);
        });
        if (this.problems.length) {
            console.log(`warnings:\n  ${this.problems.join('\n  ')}`);
        }
    }

    async close() {
        await this.context?.close().catch(() => {});
        if (this.profile) {
            fs.rmSync(this.profile, {recursive: true, force: true});
        }
    }
}

// Run the test that create() returns, within TOTAL_TIMEOUT; return the
// exit code
export async function main(
        create = () => new Smoke(settings()), name = 'browser smoke test') {
    const watchdog = setTimeout(() => {
        console.error(`FAIL: the ${name} took more than ${
            TOTAL_TIMEOUT / 1000} s`);
        process.exit(2);
    }, TOTAL_TIMEOUT);
    let smoke;
    try {
        smoke = create();
        await smoke.run();
        console.log(`PASS: ${name}`);
        return 0;
    } catch (error) {
        console.error(`FAIL: ${error?.message || error}`);
        return 1;
    } finally {
        await smoke?.close();
        clearTimeout(watchdog);
    }
}

if (process.argv[1]
        && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
    process.exitCode = await main();
}
