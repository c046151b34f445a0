// What a refused single sign-on means to the person: the server sends a browser back to the sign-in
// page with the refusal's stable code (`/login?error=CODE`, src/accounts/oidc.routes.ts).
/** One message for each code the callback refuses with (SIGN_IN_PAGE_CODES on the server). */
export const SSO_ERROR_MESSAGES: Readonly<Record<string, string>> = {
  sso_state_invalid: 'This sign-in was not started here, or it took too long. Start single sign-on again.',
  sso_provider_error: 'The identity provider could not complete the sign-in. Try again; if it keeps failing, tell your administrator.',
  sso_email_unverified:
    'Your identity provider does not confirm your email address, so Proofline cannot tell which account is yours. Ask your administrator to verify it at the provider.',
  sso_role_unmapped: 'Your groups at the identity provider give you no role in Proofline. Ask your administrator for access.',
  account_deactivated: 'Your Proofline account is deactivated. Ask an administrator to reactivate it.',
};

export function ssoErrorMessage(code: string): string {
  return SSO_ERROR_MESSAGES[code] ?? 'Single sign-on did not sign you in. Try again, or tell your administrator the code below.';
}
