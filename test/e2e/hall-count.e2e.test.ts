/**
 * Hall voting by count in the browser (issue 15): the provincial hall's operator
 * enters the show of hands on the bridge screen, the count stands, the screen has
 * no serious axe violations, and the closed result states its split and its base.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { connect, login, request, type TestSocket } from '../helpers/app.ts';
import { okData } from '../integration/conference/helpers.ts';
import { seriousViolations } from './helpers/a11y.ts';
import { DESKTOP, launchChromium, NetworkLog } from './helpers/browser.ts';
import { openPage, signIn, type Opened } from './helpers/pages.ts';
import { startServer, type E2EServer } from './helpers/server.ts';

let srv: E2EServer;
let browser: Browser;
let o: Opened;
let page: Page;
let chair: TestSocket;
const log = new NetworkLog();
const MEETING = 1;

describe('hall count on the bridge screen', () => {
  beforeAll(async () => {
    srv = await startServer();
    browser = await launchChromium();
    // The secretariat starts the demo conference; the provincial hall's operator marks three of its delegates present in person.
    chair = await connect(srv.url, await login(srv.app(), 'vanphong'));
    okData(await request(chair, 'meeting:join', { meetingId: MEETING }));
    okData(await request(chair, 'meeting:start', { meetingId: MEETING }));
    const operator = await connect(srv.url, await login(srv.app(), 'cau.tinh1'));
    okData(await request(operator, 'meeting:join', { meetingId: MEETING }));
    const ids = srv.app().db.$client.prepare("SELECT id FROM users WHERE username IN ('daibieu01','daibieu02','daibieu03')").all() as { id: number }[];
    for (const { id } of ids) okData(await request(operator, 'presence:set-delegate', { meetingId: MEETING, userId: id, status: 'present_in_person' }));
    operator.close();
    o = await openPage(browser, DESKTOP, log, srv.url);
    page = o.page;
  }, 240_000);

  afterAll(async () => {
    chair?.close();
    await browser?.close();
    await srv?.stop();
  });

  it('the operator enters the count, it stands, and the result gives the phone/hall split and its base', async () => {
    await signIn(page, 'cau.tinh1');
    await page.waitForURL(`**/meetings/${MEETING}/bridge`, { timeout: 60_000 });
    const poll = okData(
      await request<{ id: number }>(chair, 'poll:create', { agendaItemId: null, title: 'Thông qua chương trình', kind: 'approval', mode: 'open', majority: 'simple', quorum: { num: 0, den: 1, inclusive: true } }),
    );
    okData(await request(chair, 'poll:open', { pollId: poll.id }));

    const form = page.locator('form.hall-count');
    await form.waitFor({ timeout: 30_000 });
    await form.locator('input[name=hallPresent]').fill('3');
    await form.locator('input[name=hall-yes]').fill('2');
    await form.locator('input[name=hall-no]').fill('1');
    await form.locator('[data-action=hall-count]').click();
    await page.locator('[data-hall-votes="3"]').waitFor({ timeout: 30_000 });
    expect(await seriousViolations(page)).toEqual([]);

    okData(await request(chair, 'poll:close', { pollId: poll.id }));
    await page.locator('[data-sources="0/3"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-base]').getAttribute('data-base')).toBe('votes_cast');
    // Yes 2 of 3 votes cast; abstentions are outside a simple majority's base.
    expect((await page.locator('tr[data-option=yes] td').nth(1).textContent())?.trim()).toBe('66.7%');
    expect(await seriousViolations(page)).toEqual([]);
    expect(o.errors).toEqual([]);
  }, 180_000);
});
