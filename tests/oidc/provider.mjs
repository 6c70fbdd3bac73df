// A real OpenID Connect provider for the tests, on 127.0.0.1 only (oidc-provider, see
// package.json). tests/oidc.py starts it; the dashboard's st.login signs in through it.
//
//   node tests/oidc/provider.mjs [PORT [CLIENT_ID [CLIENT_SECRET [REDIRECT_URI...]]]]
//
// Each argument falls back to an environment variable: OIDC_PORT, OIDC_CLIENT_ID,
// OIDC_CLIENT_SECRET, OIDC_REDIRECT_URIS (space-separated). Prints
// `listening http://127.0.0.1:PORT` once it accepts requests.
//
// Accounts: the provider's built-in development login form (features.devInteractions)
// accepts any login and any password; the login becomes the account. Nothing is stored
// on disk: grants, codes and sessions live in memory until the process ends.
import { generateKeyPairSync } from 'node:crypto';

import Provider, { interactionPolicy } from 'oidc-provider';

const [, , argPort, argId, argSecret, ...argRedirects] = process.argv;
const port = Number(argPort ?? process.env.OIDC_PORT);
const clientId = argId ?? process.env.OIDC_CLIENT_ID;
const clientSecret = argSecret ?? process.env.OIDC_CLIENT_SECRET;
const redirectUris = argRedirects.length
  ? argRedirects
  : (process.env.OIDC_REDIRECT_URIS ?? '').split(/\s+/).filter(Boolean);
if (!Number.isInteger(port) || !clientId || !clientSecret || !redirectUris.length) {
  console.error('usage: provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI... (or OIDC_* env)');
  process.exit(2);
}

// The dashboard's roles, by login; any other login signs in with no role.
const ROLES = { viewer: ['viewer'], officer: ['officer'], admin: ['admin'] };

function account(login) {
  return {
    accountId: login,
    // Every claim; the provider keeps those of the granted scopes (see `claims` below).
    async claims() {
      return {
        sub: login,
        email: `${login}@example.test`,
        email_verified: true,
        name: login.charAt(0).toUpperCase() + login.slice(1),
        roles: Object.hasOwn(ROLES, login) ? ROLES[login] : [],
      };
    },
  };
}

// Streamlit asks with prompt=select_account, which oidc-provider rejects unless a prompt of
// that name is registered. Register it (no checks of its own) and let it show the login
// form, so a browser can sign in as someone else each time, as at an account chooser.
const policy = interactionPolicy.base();
const selectAccount = new interactionPolicy.Prompt({ name: 'select_account', requestable: true });
selectAccount.checks.clear();
policy.add(selectAccount);
policy.get('login').checks.add(new interactionPolicy.Check(
  'select_account',
  'End-User is asked to choose an account',
  (ctx) => ctx.oidc.prompts.has('select_account') && !ctx.oidc.result?.login,
));

const { privateKey: signingKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris,
    // Streamlit's st.logout returns to its redirect URI through the end_session endpoint.
    post_logout_redirect_uris: redirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    // Authlib's default. oidc-provider accepts client_secret_post for such a client too.
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  interactions: { policy },
  findAccount: (ctx, sub) => account(sub),
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'roles'],
  },
  // Put the granted claims in the ID token itself: Streamlit's st.user reads that token.
  conformIdTokenClaims: false,
  // No consent screen: every sign-in grants the requested scopes at once.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
    await grant.save();
    return grant;
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: {
      // Sign out without asking: the form's "yes" answer, submitted as the page loads.
      async logoutSource(ctx, form) {
        ctx.body = `<!DOCTYPE html><html><head><title>Signing out</title></head><body>${form}
          <script>
            const form = document.getElementById('op.logoutForm');
            form.insertAdjacentHTML('beforeend', '<input type="hidden" name="logout" value="yes">');
            form.submit();
          </script></body></html>`;
      },
    },
  },
  // A fresh signing key per run, so the library's published development keys are not used.
  jwks: { keys: [{ ...signingKey.export({ format: 'jwk' }), use: 'sig', kid: 'test' }] },
  cookies: { keys: ['oidc-test-provider-only'] },
});

provider.listen(port, '127.0.0.1', () => console.log(`listening ${issuer}`));
