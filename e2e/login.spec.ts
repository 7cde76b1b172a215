import type { APIRequestContext, Page } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import { apiErrorSchema, sessionSchema, userSchema, type Session } from '@cimco/contract';
import { inEnglish } from './support/screens.ts';
import { APP_READY } from './support/tablet.ts';

test.describe.configure({ timeout: 600_000 });
test.beforeEach(async ({ context }) => {
  await inEnglish(context);
});

// Demo accounts seeded on first start (DEMO=true); every one has the password `demo`.
const DEMO_PASSWORD = 'demo';

async function apiLogin(request: APIRequestContext, username: string, password = DEMO_PASSWORD): Promise<Session> {
  const response = await request.post('/api/auth/login', { data: { username, password } });
  expect(response.status(), await response.text()).toBe(200);
  return sessionSchema.parse(await response.json());
}

async function signInThroughForm(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

function loginForm(page: Page) {
  return page.getByRole('form', { name: 'Sign in' });
}

test('the login form shows, with server health, and a wrong password says so', async ({
  page,
}) => {
  const health = await page.request.get('/api/health');
  expect(health.status()).toBe(200);
  const { status, schemaVersion } = (await health.json()) as { status: string; schemaVersion: string };
  expect(status).toBe('ok');

  expect(schemaVersion).toMatch(/^\d{4}_/);

  await page.goto('/');
  // The form shows once the tablet's database is open (PGlite's first start takes a while).
  await expect(loginForm(page)).toBeVisible(APP_READY);
  await expect(page.getByLabel('Username')).toBeVisible();
  await expect(page.getByLabel('Password')).toHaveAttribute('type', 'password');

  await signInThroughForm(page, 'admin', 'not-the-password');
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
  await expect(loginForm(page)).toBeVisible();
  await expect(page.getByTestId('sync-bar')).toHaveCount(0);
});

test('too many failed attempts show the rate-limit message, in the person\'s language', async ({ page, browser }) => {
  // Use up this username's free failed attempts, then try once more in the app. The name is no
  // one's: its wait grows with each failure, and later specs sign the demo people in.
  const username = 'someone-guessing';
  // Fails until the server makes the name wait. The wait is 30 s at first, then doubles.
  const untilWaiting = async () => {
    let last = 0;
    for (let attempt = 0; attempt < 10 && last !== 429; attempt++) {
      const response = await page.request.post('/api/auth/login', {
        data: { username, password: 'wrong-password' },
      });
      last = response.status();
      expect([401, 429]).toContain(last);
    }
    expect(last).toBe(429);
  };
  await untilWaiting();

  await page.goto('/');
  await expect(loginForm(page)).toBeVisible(APP_READY);
  await signInThroughForm(page, username, 'wrong-password');
  await expect(page.getByRole('alert')).toHaveText(/^Too many failed sign-in attempts\. Try again in \d+ (seconds?|minutes?)\.$/);
  await expect(loginForm(page)).toBeVisible();

  // A tablet set to Spanish says it in Spanish (the server's message is English).
  const spanish = await browser.newContext({ locale: 'es-ES' });
  try {
    const es = await spanish.newPage();
    await es.goto('/');
    await es.getByLabel('Usuario').fill(username, APP_READY);
    await es.getByLabel('Contraseña').fill('wrong-password');
    // The new context's first start can outlast the first wait: make the name wait again.
    await untilWaiting();
    await es.getByRole('button', { name: 'Entrar' }).click();
    await expect(es.getByRole('alert')).toHaveText(/^Demasiados intentos fallidos\. Inténtelo de nuevo en \d+ (segundos?|minutos?)\.$/);
  } finally {
    await spanish.close();
  }
});

test('admin signs in and sees the name that /api/me returns', async ({ page }) => {
  const apiSession = await apiLogin(page.request, 'admin');
  const me = await page.request.get('/api/me', {
    headers: { Authorization: `Bearer ${apiSession.accessToken}` },
  });
  expect(me.status()).toBe(200);
  const user = userSchema.parse(((await me.json()) as { user: unknown }).user);
  expect(user.role).toBe('admin');

  await page.goto('/');
  await expect(loginForm(page)).toBeVisible(APP_READY);
  await signInThroughForm(page, 'admin', DEMO_PASSWORD);
  await expect(page.locator('.app-user')).toContainText(user.displayName);
  await expect(page.getByTestId('sync-bar')).toBeVisible();
  await expect(loginForm(page)).toHaveCount(0);
});

test('the session survives a reload; signing out returns to the form and revokes the refresh token', async ({
  page,
}) => {
  await page.goto('/');
  await expect(loginForm(page)).toBeVisible(APP_READY);
  const loginResponse = page.waitForResponse(
    (response) => response.url().endsWith('/api/auth/login') && response.request().method() === 'POST',
  );
  await signInThroughForm(page, 'supervisor', DEMO_PASSWORD);
  const response = await loginResponse;
  expect(response.status()).toBe(200);
  const session = sessionSchema.parse(await response.json());
  expect(session.user.role).toBe('supervisor');

  const signedIn = page.locator('.app-user').getByText(session.user.displayName);
  await expect(signedIn).toBeVisible();
  await page.reload();
  await expect(signedIn).toBeVisible(APP_READY);

  const logoutResponse = page.waitForResponse(
    (r) => r.url().endsWith('/api/auth/logout') && r.request().method() === 'POST',
  );
  await page.getByRole('button', { name: 'Sign out' }).click();
  expect((await logoutResponse).status()).toBe(204);
  await expect(loginForm(page)).toBeVisible();
  await expect(signedIn).toHaveCount(0);

  // Signed out for good: a reload stays on the form.
  await page.reload();
  await expect(loginForm(page)).toBeVisible(APP_READY);

  // The app's refresh token is dead, while one from a session that was not signed out still works.
  const revoked = await page.request.post('/api/auth/refresh', {
    data: { refreshToken: session.refreshToken },
  });
  expect(revoked.status()).toBe(401);
  expect(apiErrorSchema.safeParse(await revoked.json()).success).toBe(true);

  const other = await apiLogin(page.request, 'supervisor');
  const refreshed = await page.request.post('/api/auth/refresh', {
    data: { refreshToken: other.refreshToken },
  });
  expect(refreshed.status()).toBe(200);
  expect(sessionSchema.parse(await refreshed.json()).user.username).toBe('supervisor');
});

test('client routes load the app, while unknown API paths answer JSON errors', async ({ page }) => {
  const response = await page.goto('/parts/123');
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-type']).toContain('text/html');
  await expect(loginForm(page)).toBeVisible(APP_READY);

  // Unknown API paths never fall through to the app's HTML: without a token the caller is told
  // to sign in, and with one the path is a JSON 404.
  const anonymous = await page.request.get('/api/nope');
  expect(anonymous.status()).toBe(401);
  expect(anonymous.headers()['content-type']).toContain('application/json');
  expect(apiErrorSchema.safeParse(await anonymous.json()).success).toBe(true);

  const { accessToken } = await apiLogin(page.request, 'tech');
  const missing = await page.request.get('/api/nope', {
    headers: { Authorization: `Bearer ${accessToken}` },
  });
  expect(missing.status()).toBe(404);
  expect(missing.headers()['content-type']).toContain('application/json');
  const body = apiErrorSchema.parse(await missing.json());
  expect(body.error).toBe('not_found');
});

test('the tablet\'s language is chosen on the sign-in card and in the header, wins over the account\'s, and survives a reload', async ({ page }) => {
  await page.goto('/');
  const language = page.getByLabel(/^(Language|Idioma)$/);
  await language.selectOption('es', APP_READY);
  await expect(page.locator('label[for="username"]')).toHaveText('Usuario');
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  // Sam Supervisor's account is in English; the tablet's choice wins.
  await page.locator('#username').fill('supervisor');
  await page.locator('#password').fill('demo');
  await page.locator('form button[type=submit]').click();
  const nav = page.getByRole('navigation', { name: 'Pantallas' });
  await expect(nav.getByRole('link', { name: 'Repuestos' })).toBeVisible(APP_READY);
  await page.getByLabel('Idioma').selectOption('en');
  await expect(page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Parts' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Parts' })).toBeVisible(APP_READY);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});
