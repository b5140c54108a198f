import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('signs up and reads the profile', async () => {
    const user = await signUp(t);
    const me = await t.request('GET', '/v1/me', { token: user.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(user.email);
  });
});
