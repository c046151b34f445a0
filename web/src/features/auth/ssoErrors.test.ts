import { describe, expect, it } from 'vitest';
import { SSO_ERROR_MESSAGES, ssoErrorMessage } from './ssoErrors';

describe('single sign-on refusals on the sign-in page', () => {
  it('explains each code the callback sends a browser back with, and has a fallback for any other', () => {
    const codes = ['sso_state_invalid', 'sso_provider_error', 'sso_email_unverified', 'sso_role_unmapped', 'account_deactivated'];
    expect(Object.keys(SSO_ERROR_MESSAGES).sort()).toEqual([...codes].sort());
    for (const code of codes) expect(ssoErrorMessage(code)).toBe(SSO_ERROR_MESSAGES[code]);
    expect(new Set(codes.map(ssoErrorMessage)).size).toBe(codes.length);
    expect(ssoErrorMessage('rate_limited')).toMatch(/did not sign you in/);
  });
});
