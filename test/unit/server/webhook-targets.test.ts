import assert from 'node:assert/strict';
import { addressRefusal, urlRefusal } from '../../../server/notify/targets.js';
import { backoff, FIRST_BACKOFF_MS, MAX_BACKOFF_MS } from '../../../server/notify/webhooks.js';

describe('webhook targets', () => {
  it('refuses loopback however it is spelled, unless allowed', () => {
    for (const url of ['http://127.0.0.1/x', 'http://127.1.2.3/', 'http://2130706433/', 'http://0x7f.1/', 'http://0.0.0.0/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://localhost:8080/', 'https://api.localhost/']) {
      assert.match(urlRefusal(url, false) ?? '', /loopback/, url);
      assert.equal(urlRefusal(url, true), undefined, `${url} with allowLoopback`);
    }
  });

  it('refuses link-local always, and allows public and private addresses', () => {
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://[fe80::1]/', 'http://[::ffff:169.254.169.254]/']) {
      assert.match(urlRefusal(url, true) ?? '', /link-local/, url);
    }
    for (const url of ['https://hooks.slack.com/services/x', 'http://10.0.0.5/hook', 'http://192.168.1.2/', 'http://[2001:db8::1]/']) {
      assert.equal(urlRefusal(url, false), undefined, url);
    }
    assert.match(addressRefusal('127.0.0.1', false) ?? '', /loopback/);
    assert.equal(addressRefusal('93.184.216.34', false), undefined);
  });

  it('backs off exponentially up to the cap, less up to half at random', () => {
    assert.equal(backoff(1, () => 0), FIRST_BACKOFF_MS);
    assert.equal(backoff(3, () => 0), 4 * FIRST_BACKOFF_MS);
    assert.equal(backoff(3, () => 1), 2 * FIRST_BACKOFF_MS);
    assert.equal(backoff(30, () => 0), MAX_BACKOFF_MS);
  });
});
