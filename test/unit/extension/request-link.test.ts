import assert from 'node:assert/strict';
import { requestIdFromLinkPath } from '../../../extension/core/request-link.js';

describe('request links (vscode://jit-access.jit-access/requests/<id>)', () => {
  it('reads the request id from the link path', () => {
    assert.equal(requestIdFromLinkPath('/requests/12'), '12');
    assert.equal(requestIdFromLinkPath('/requests/12/'), '12');
  });

  it('names no request for any other path', () => {
    for (const path of ['/', '/requests', '/requests/', '/grants/12', '/requests/12/approve', '/requests/a%2Fb', `/requests/${'1'.repeat(65)}`]) {
      assert.equal(requestIdFromLinkPath(path), undefined, path);
    }
  });
});
