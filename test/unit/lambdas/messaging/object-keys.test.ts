import { describe, expect, it } from 'vitest';
import { AttachmentObjectKeys } from '../../../../lambdas/messaging/keys.js';

describe('attachment object keys', () => {
  it('the pattern accepts exactly the keys the key functions make', () => {
    expect(AttachmentObjectKeys.pattern.test(AttachmentObjectKeys.pending('org-1', '01JATT'))).toBe(true);
    expect(AttachmentObjectKeys.pattern.test(AttachmentObjectKeys.kept('org_1', 'A'.repeat(64)))).toBe(true);
    for (const key of ['pending/org-1', 'other/org-1/a', 'files/org-1/a/b', 'files/../a', 'pending/org-1/a.b', `files/org-1/${'A'.repeat(65)}`, '/files/org-1/a']) {
      expect(AttachmentObjectKeys.pattern.test(key), key).toBe(false);
    }
  });
});
