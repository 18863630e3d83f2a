// Browser test of the customer portal of ar_followup.
//
//   AR_PORTAL_URL=http://127.0.0.1:8123/demo/ar_followup/portal/<token> \
//   AR_SCREENSHOTS=var/screenshots node browser/portal.mjs
//
// Opens the link of a reminder email, checks that the customer's invoices
// are listed and that every form field has a label, promises to pay an
// amount on the first invoice, disputes the last one with a PNG attached,
// then checks that a forged link gets the 404 page.  Prints the numbers of
// the invoices promised and disputed ("promised: X", "disputed: Y") for
// the Python test to check in the database.  Exits non-zero on failure.
import path from 'node:path';
import process from 'node:process';
import {pathToFileURL} from 'node:url';

import {Smoke, SmokeError, main} from './smoke.mjs';

function fail(message) {
    throw new SmokeError(message);
}

// the smallest PNG: 1x1 transparent pixel
const PNG = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
    'base64');

function plusDays(days) {
    const date = new Date(Date.now() + days * 86_400_000);
    return date.toISOString().slice(0, 10);
}

export class PortalTest extends Smoke {
    async run() {
        const {options} = this;
        // a phone
        await this.launch({width: 390, height: 844});

        const invoices = await this.step('portal-page', async page => {
            const response = await page.goto(options.link);
            if (response.status() !== 200) {
                fail(`the link answered ${response.status()}`);
            }
            const rows = page.locator('#open-invoices tbody tr');
            const count = await rows.count();
            if (!count) {
                fail('the portal lists no invoice to pay');
            }
            const numbers = await rows.locator('th').allInnerTexts();
            console.log(`invoices: ${numbers.join(', ')}`);
            // every field of the forms has its label
            const unlabelled = await page.locator(
                'form input:not([type=hidden]), form select, form textarea')
                .evaluateAll(nodes => nodes
                    .filter(node => !node.labels || !node.labels.length)
                    .map(node => node.name));
            if (unlabelled.length) {
                fail(`fields without a label: ${unlabelled.join(', ')}`);
            }
            const width = await page.evaluate(
                () => document.documentElement.scrollWidth);
            if (width > 400) {
                fail(`the page is ${width} px wide on a phone`);
            }
            return numbers.map(n => n.split(' ')[0]);
        });

        await this.step('promise', async page => {
            const form = page.locator('form#promise');
            const select = form.getByLabel('Invoice');
            const first = select.locator('option').nth(1);
            await select.selectOption(await first.getAttribute('value'));
            await form.getByLabel('Date').fill(plusDays(7));
            await form.getByLabel('Amount').fill('10');
            // submitted from the keyboard
            await form.getByLabel('Comment').fill('Transfer next week');
            await form.locator('button[type=submit]').focus();
            await page.keyboard.press('Enter');
            await page.waitForLoadState('load');
            await page.locator('.done').filter(
                {hasText: 'promise to pay is recorded'}).waitFor();
            console.log(`promised: ${invoices[0]}`);
        });

        await this.step('dispute', async page => {
            const form = page.locator('form#dispute');
            const select = form.getByLabel('Invoice');
            const options = select.locator('option');
            const last = options.nth(await options.count() - 1);
            const number = (await last.innerText()).split(' ')[0];
            await select.selectOption(await last.getAttribute('value'));
            await form.getByLabel('Reason').selectOption('quality');
            await form.getByLabel('What do you dispute?').fill(
                'Delivered damaged');
            await form.locator('input[type=file]').setInputFiles({
                name: 'photo.png', mimeType: 'image/png', buffer: PNG});
            await form.locator('button[type=submit]').click();
            await page.waitForLoadState('load');
            await page.locator('.done').filter(
                {hasText: 'Your dispute is recorded'}).waitFor();
            console.log(`disputed: ${number}`);
        });

        await this.step('forged-link', async page => {
            const forged = options.link.replace(/[^/]{43}$/, 'A'.repeat(43));
            const response = await page.goto(forged);
            if (response.status() !== 404) {
                fail(`a forged link answered ${response.status()}`);
            }
            if (await page.locator('table').count()) {
                fail('a forged link shows a table');
            }
        });
        // the forged link is expected to answer 404
        this.problems = this.problems.filter(p => !/HTTP 404/.test(p));
        if (this.problems.length) {
            fail(`problems:\n  ${this.problems.join('\n  ')}`);
        }
    }
}

export function portalSettings(env = process.env) {
    if (!env.AR_PORTAL_URL) {
        fail('missing environment variable AR_PORTAL_URL');
    }
    return {
        link: env.AR_PORTAL_URL,
        screenshots: env.AR_SCREENSHOTS || 'screenshots',
        executablePath: env.CHROMIUM || '/usr/bin/chromium',
    };
}

if (process.argv[1]
        && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
    process.exitCode = await main(
        () => new PortalTest(portalSettings()), 'portal browser test');
}
