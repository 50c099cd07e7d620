/**
 * The website's widget in real Chromium when things go wrong: the QR expires (refresh makes a
 * new one that works), the server drops the socket (the widget reconnects and still gets the
 * login), and the deployment is two instances on Redis behind nginx, one of which shuts down
 * while the page waits. The phone side is the HTTP API (the phone page has its own tests).
 */
import type { Page } from 'playwright-core';
import { qrRoom } from '../../server/realtime/rooms';
import { API } from '../../shared/http';
import { parseQrCode } from '../../shared/qr-payload';
import { api } from '../helpers/api';
import { readQrFrom } from '../helpers/browser';
import type { Cluster } from '../helpers/cluster';
import { confirm, registerUser, scan } from '../helpers/flow';
import { type TestNginx, startBalanced } from '../helpers/nginx';
import { snap, usePages, waitForStatus } from '../helpers/pages';
import { type TestServer, startServer } from '../helpers/server';
import { waitUntil } from '../helpers/sockets';

const pages = usePages();

async function openSite(url: string): Promise<Page> {
  const page = await pages.page({ viewport: { width: 1100, height: 800 } });
  await page.goto(`${url}/`);
  await waitForStatus(page, 'pending', 10_000);
  return page;
}

/** The QR's `random`, read from the pixels as a phone camera would. */
async function randomShownBy(page: Page): Promise<string> {
  return parseQrCode(await readQrFrom(page.locator('#qrcode canvas, #qrcode img').first())).random;
}

/** The phone approves the QR the page shows, and the page signs in as `nickname`. */
async function approveAndExpectSignIn(page: Page, phoneUrl: string, nickname: string): Promise<void> {
  const phone = await registerUser(api(phoneUrl), nickname);
  const random = await randomShownBy(page);
  await scan(api(phoneUrl), phone.token, random);
  await waitForStatus(page, 'scanned');
  await confirm(api(phoneUrl), phone.token, random);
  await waitForStatus(page, 'confirmed');
  await page.locator('#user', { hasText: nickname }).waitFor();
}

describe('one instance', () => {
  let server: TestServer;
  afterEach(async () => {
    await server?.close();
  });

  test('an expired QR offers a refresh; the new QR comes over the same socket (qr:create, no gene request) and works', async () => {
    server = await startServer({ env: { QR_TTL_SECONDS: '2' } });
    let connections = 0;
    server.app.io.on('connection', () => (connections += 1));
    const page = await openSite(server.url);
    const first = await randomShownBy(page);
    await waitForStatus(page, 'expired', 10_000);
    await snap(page, 'widget-expired');
    const refresh = page.locator('#qrcode .qrlogin-action');
    await refresh.waitFor({ state: 'visible' });
    await refresh.focus();
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'pending');
    const second = await randomShownBy(page);
    expect(second).not.toBe(first);
    // The socket left the first QR's room (qr:unsubscribe) and is in the second's.
    const rooms = server.app.io.of('/').adapter.rooms;
    await waitUntil(() => !rooms.has(qrRoom(first)) && rooms.has(qrRoom(second)), 5_000);
    await approveAndExpectSignIn(page, server.url, 'Fresh');
    // One socket for the page's two QR codes; only the first was asked for over HTTP.
    expect(connections).toBe(1);
    const geneRequests = server.logs.filter((line) => line.includes('"msg":"request"') && line.includes(`"route":"${API.gene}"`));
    expect(geneRequests).toHaveLength(1);
  });

  test('the server drops the socket: the widget reconnects by itself and still gets the login', async () => {
    server = await startServer();
    let connections = 0;
    server.app.io.on('connection', () => (connections += 1));
    const page = await openSite(server.url);
    await waitUntil(() => connections === 1);
    server.app.io.disconnectSockets(true);
    // It comes back by itself: a second connection, before the phone acts.
    await waitUntil(() => connections === 2);
    await approveAndExpectSignIn(page, server.url, 'Reconnected');
  });
});

describe('two instances on Redis behind nginx', () => {
  let cluster: Cluster;
  let nginx: TestNginx;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ cluster, nginx, close } = await startBalanced(2));
  });
  afterEach(() => close());

  test('the page and the phone go through nginx; the instance holding the page’s socket shuts down meanwhile', async () => {
    const connections = [0, 0];
    cluster.servers.forEach((server, i) => server.app.io.on('connection', () => (connections[i] = (connections[i] ?? 0) + 1)));
    const page = await openSite(nginx.url);
    await waitUntil(() => connections[0] === 1 || connections[1] === 1);
    const holder = connections[0] === 1 ? 0 : 1;
    await cluster.at(holder).close();
    // The widget reconnects through nginx to the other instance (a connection there).
    await waitUntil(() => connections[1 - holder] === 1, 15_000);
    await approveAndExpectSignIn(page, nginx.url, 'Balanced');
  });
});
