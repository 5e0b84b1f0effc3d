#!/usr/bin/env node
/**
 * A real OpenID provider (npm `oidc-provider`, OpenID certified) shaped like one Keycloak realm,
 * for the tests. Nothing here runs in production.
 *
 *   node server.mjs --port 0 --realm renku [--redirect-uri URI ...] [--client-secret S]
 *                   [--exit-with-stdin]
 *
 * prints one JSON line once it listens: the issuer, the port, the clients and their secrets and
 * the test users. It is silent after that, except for errors. With --exit-with-stdin it stops
 * when its standard input closes, so it never outlives the test process that started it.
 *
 * Keycloak's shape: issuer http://127.0.0.1:PORT/realms/REALM, its endpoints under
 * /protocol/openid-connect/, JWT access tokens (RS256) carrying Keycloak's claims (`typ`,
 * `azp`, `preferred_username`, `realm_access.roles`, ...) with `aud` [client audience,
 * "account"], refresh tokens for every user grant, the password grant, and a login form for the
 * authorization-code flow, consent being granted automatically as for a first-party client.
 *
 * oidc-provider neither finds its JWT access tokens at userinfo or introspection nor has
 * Keycloak's back-channel logout, so those endpoints (and revocation, to revoke JWT access
 * tokens too) are answered here, from the provider's own token store: POST .../logout with a
 * refresh token and client credentials ends that session (Keycloak's back-channel logout, 204);
 * GET .../logout is oidc-provider's RP-initiated logout for browsers. Like a Keycloak client
 * with the redirect URI `http://127.0.0.1:*`, the `renku` client accepts any loopback
 * redirect URI besides those given with --redirect-uri.
 *
 * Test controls, under /_test/ (never a Keycloak path), JSON in and out:
 *   POST /_test/keys/rotate {"keep_previous": true}  a new signing key; the old one is still
 *                                                    published unless keep_previous is false
 *   POST /_test/clock {"skew_seconds": N}             the provider's clock runs N seconds off
 *   POST /_test/ttl {"access_token_seconds": N}       lifetime of access tokens issued next
 * The last two answer with the previous value too, so that a test can restore it.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';

// oidc-provider warns on import that Node.js 20 is older than the release line it supports; it
// runs fine on the Node.js 20 our machines have, so that one warning is dropped to keep quiet.
const { warn } = console;
console.warn = (...args) => {
  if (!String(args[0]).includes('Unsupported runtime')) warn(...args);
};
const { default: Provider, errors } = await import('oidc-provider');
console.warn = warn;

const { values: options } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    realm: { type: 'string', default: 'renku' },
    'redirect-uri': { type: 'string', multiple: true, default: [] },
    'client-secret': { type: 'string' },
    'exit-with-stdin': { type: 'boolean', default: false },
  },
});

const HOST = '127.0.0.1';
const REALM = options.realm;
const REALM_PATH = `/realms/${REALM}`;
const OIDC = '/protocol/openid-connect';
const DEFAULT_ROLES = [`default-roles-${REALM}`, 'offline_access', 'uma_authorization'];

/** Test accounts, with Keycloak's fixed user ids (UUIDs) and realm roles. */
const USERS = {
  alice: {
    sub: '3f1c6a52-6d2b-4f0e-9a51-1d7e4b9c0a11',
    password: 'alice-password',
    given_name: 'Alice',
    family_name: 'Liddell',
    email: 'alice@example.org',
    roles: DEFAULT_ROLES,
  },
  bob: {
    sub: '8b2d7e13-4c5a-4e8f-b7d2-2e9f6c1d0b22',
    password: 'bob-password',
    given_name: 'Bob',
    family_name: 'Builder',
    email: 'bob@example.org',
    roles: DEFAULT_ROLES,
  },
  admin: {
    sub: 'c5e9a0f4-1b3d-4a7c-8e6f-3a0b7d2e1c33',
    password: 'admin-password',
    given_name: 'Ada',
    family_name: 'Admin',
    email: 'admin@example.org',
    roles: [...DEFAULT_ROLES, 'renku-admin'],
  },
};
const USERS_BY_SUB = new Map(Object.entries(USERS).map(([name, user]) => [user.sub, { name, ...user }]));

/** Standard claims by scope, as Keycloak's default client scopes map them. */
const SCOPE_CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username'],
  email: ['email', 'email_verified'],
  roles: ['realm_access'],
};
const CLIENT_SCOPE = 'openid offline_access profile email roles';
const DEFAULT_SCOPES = ['profile', 'email'];

/** Each client's tokens are for its own audience, as a Keycloak audience mapper makes them. */
const CLIENTS = {
  renku: {
    audience: 'renku',
    secret: options['client-secret'] ?? crypto.randomBytes(24).toString('base64url'),
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials', 'password'],
  },
  'other-service': {
    audience: 'other-service',
    secret: crypto.randomBytes(24).toString('base64url'),
    grant_types: ['refresh_token', 'client_credentials', 'password'],
  },
};
const resourceFor = (audience) => `urn:keycloak:audience:${audience}`;
const AUDIENCE_BY_RESOURCE = new Map(
  Object.values(CLIENTS).map(({ audience }) => [resourceFor(audience), audience]),
);

const COOKIE_KEY = crypto.randomBytes(32).toString('base64url');

/** Mutable by the test controls. */
const state = {
  keys: [newSigningKey()],
  accessTokenSeconds: 300,
  clockSkewMs: 0,
};

const realNow = Date.now;
Date.now = () => realNow() + state.clockSkewMs;

function newSigningKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    jwk: { ...jwk, kid: crypto.randomBytes(12).toString('base64url'), alg: 'RS256', use: 'sig' },
    publicKey: crypto.createPublicKey(privateKey),
  };
}

function isLoopbackRedirect(uri) {
  try {
    const url = new URL(uri);
    return url.protocol === 'http:' && (url.hostname === HOST || url.hostname === 'localhost');
  } catch {
    return false;
  }
}

function accountFor(sub) {
  const user = USERS_BY_SUB.get(sub);
  if (!user) return undefined;
  const claims = {
    sub: user.sub,
    preferred_username: user.name,
    name: `${user.given_name} ${user.family_name}`,
    given_name: user.given_name,
    family_name: user.family_name,
    email: user.email,
    email_verified: true,
    realm_access: { roles: user.roles },
  };
  return { accountId: user.sub, claims: () => claims };
}

function resourceServerInfo(resource) {
  const audience = AUDIENCE_BY_RESOURCE.get(resource);
  if (!audience) throw new errors.InvalidTarget(`unknown resource ${resource}`);
  return {
    audience,
    scope: CLIENT_SCOPE,
    accessTokenFormat: 'jwt',
    accessTokenTTL: state.accessTokenSeconds,
    jwt: { sign: { alg: 'RS256' } },
  };
}

/** Keycloak's access-token claims on top of oidc-provider's JWT access-token profile. */
async function keycloakClaims(_ctx, token) {
  if (token.kind !== 'AccessToken' && token.kind !== 'ClientCredentials') return undefined;
  const base = { typ: 'Bearer', azp: token.clientId };
  if (!token.accountId) {
    return {
      ...base,
      preferred_username: `service-account-${token.clientId}`,
      realm_access: { roles: DEFAULT_ROLES },
    };
  }
  const { sub, ...claims } = accountFor(token.accountId)?.claims() ?? {};
  return { ...base, ...claims };
}

/**
 * The provider's storage (oidc-provider's adapter interface), one per process and shared by the
 * providers that key rotation builds, so that sessions, grants and tokens survive a rotation.
 * Entries expire on the provider's (possibly skewed) clock.
 */
class TokenStore {
  static #entries = new Map();

  static #grants = new Map();

  static #uids = new Map();

  constructor(model) {
    this.model = model;
  }

  #key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const key = this.#key(id);
    const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : Infinity;
    TokenStore.#entries.set(key, { payload, expiresAt });
    if (payload.grantId) {
      const keys = TokenStore.#grants.get(payload.grantId) ?? new Set();
      TokenStore.#grants.set(payload.grantId, keys.add(key));
    }
    if (payload.uid) TokenStore.#uids.set(`${this.model}:${payload.uid}`, id);
  }

  async find(id) {
    const key = this.#key(id);
    const entry = TokenStore.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      TokenStore.#entries.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  async findByUid(uid) {
    const id = TokenStore.#uids.get(`${this.model}:${uid}`);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode() {
    return undefined;
  }

  async consume(id) {
    const entry = TokenStore.#entries.get(this.#key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    TokenStore.#entries.delete(this.#key(id));
  }

  async revokeByGrantId(grantId) {
    return TokenStore.revokeByGrantId(grantId);
  }

  static async revokeByGrantId(grantId) {
    for (const key of TokenStore.#grants.get(grantId) ?? []) TokenStore.#entries.delete(key);
    TokenStore.#grants.delete(grantId);
  }
}

/**
 * oidc-provider keeps no record of the JWT access tokens it signs; this one does, so that
 * userinfo, introspection, revocation and logout can tell a live token from a revoked one.
 */
const jwtAccessTokens = new TokenStore('JwtAccessToken');

function rememberJwtAccessToken(token) {
  const record = {
    grantId: token.grantId, accountId: token.accountId, clientId: token.clientId,
  };
  jwtAccessTokens.upsert(token.jti, record, token.expiration);
}

function buildProvider(issuer) {
  const redirectUris = options['redirect-uri'].length
    ? options['redirect-uri']
    : [`http://${HOST}/callback`];
  const provider = new Provider(issuer, {
    adapter: TokenStore,
    clients: Object.entries(CLIENTS).map(([clientId, client]) => ({
      client_id: clientId,
      client_secret: client.secret,
      grant_types: client.grant_types,
      response_types: client.grant_types.includes('authorization_code') ? ['code'] : [],
      redirect_uris: client.grant_types.includes('authorization_code') ? redirectUris : [],
      post_logout_redirect_uris: client.grant_types.includes('authorization_code') ? redirectUris : [],
      scope: CLIENT_SCOPE,
    })),
    jwks: { keys: state.keys.map((key) => key.jwk) },
    cookies: { keys: [COOKIE_KEY] },
    claims: SCOPE_CLAIMS,
    scopes: Object.keys(SCOPE_CLAIMS).concat('offline_access'),
    findAccount: (_ctx, sub) => accountFor(sub),
    extraTokenClaims: keycloakClaims,
    formats: {
      customizers: {
        jwt(_ctx, token, jwt) {
          jwt.header = { typ: 'JWT' };
          if (token.accountId) jwt.payload.aud = [jwt.payload.aud, 'account'];
        },
      },
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, client) => resourceFor(CLIENTS[client.clientId].audience),
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => resourceServerInfo(resource),
      },
    },
    responseTypes: ['code', 'none'],
    pkce: { required: () => false },
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    interactions: { url: (_ctx, interaction) => `${REALM_PATH}/login-actions/${interaction.uid}` },
    ttl: { RefreshToken: 1800, Session: 36000, Grant: 36000, IdToken: 300 },
    routes: {
      authorization: `${OIDC}/auth`,
      token: `${OIDC}/token`,
      jwks: `${OIDC}/certs`,
      userinfo: `${OIDC}/userinfo`,
      end_session: `${OIDC}/logout`,
      revocation: `${OIDC}/revoke`,
      introspection: `${OIDC}/token/introspect`,
    },
  });
  const original = provider.Client.prototype.redirectUriAllowed;
  provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(uri) {
    return original.call(this, uri) || isLoopbackRedirect(uri);
  };
  provider.registerGrantType('password', passwordGrant, ['username', 'password', 'scope']);
  for (const event of ['access_token.issued', 'client_credentials.issued']) {
    provider.on(event, rememberJwtAccessToken);
  }
  return provider;
}

/** Keycloak's direct-access grant: user credentials for tokens, as python-keycloak uses it. */
async function passwordGrant(ctx) {
  const { client, params, provider } = ctx.oidc;
  const user = authenticateUser(params.username, params.password);
  if (!user) throw new errors.InvalidGrant('Invalid user credentials');
  const requested = (params.scope ?? '').split(' ').filter(Boolean);
  const allowed = new Set(client.scope.split(' '));
  const scope = [...new Set([...requested, ...DEFAULT_SCOPES])].filter((s) => allowed.has(s));
  const unknown = requested.filter((s) => !allowed.has(s));
  if (unknown.length) throw new errors.InvalidScope('Invalid scopes', unknown.join(' '));
  const scopeText = scope.join(' ');
  const resource = resourceFor(CLIENTS[client.clientId].audience);

  const grant = new provider.Grant({ accountId: user.sub, clientId: client.clientId });
  grant.addOIDCScope(scopeText);
  grant.addResourceScope(resource, scopeText);
  const grantId = await grant.save();

  const at = new provider.AccessToken({
    accountId: user.sub, client, grantId, gty: 'password', scope: scopeText,
  });
  at.resourceServer = new provider.ResourceServer(resource, resourceServerInfo(resource));
  ctx.oidc.entity('AccessToken', at);
  const accessToken = await at.save();

  const rt = new provider.RefreshToken({
    accountId: user.sub,
    client,
    grantId,
    gty: 'password',
    scope: scopeText,
    resource,
    rotations: 0,
    authTime: Math.floor(Date.now() / 1000),
  });
  const refreshToken = await rt.save();

  let idToken;
  if (scope.includes('openid')) {
    const claims = accountFor(user.sub).claims();
    const token = new provider.IdToken(filterClaims(claims, scope), { ctx });
    token.scope = scopeText;
    idToken = await token.issue({ use: 'idtoken' });
  }

  ctx.body = {
    access_token: accessToken,
    expires_in: at.expiration,
    refresh_expires_in: rt.expiration,
    refresh_token: refreshToken,
    token_type: 'Bearer',
    ...(idToken ? { id_token: idToken } : {}),
    'not-before-policy': 0,
    scope: scopeText,
  };
}

function filterClaims(claims, scopes) {
  const names = new Set(scopes.flatMap((scope) => SCOPE_CLAIMS[scope] ?? []));
  names.add('sub');
  return Object.fromEntries(Object.entries(claims).filter(([name]) => names.has(name)));
}

function authenticateUser(username, password) {
  const user = Object.hasOwn(USERS, username ?? '') ? USERS[username] : undefined;
  return user && constantEquals(user.password, password ?? '') ? user : undefined;
}

function constantEquals(expected, actual) {
  const a = Buffer.from(String(expected));
  const b = Buffer.from(String(actual));
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}


/* ---------- HTTP plumbing ---------- */

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function readForm(req) {
  return new URLSearchParams(await readBody(req));
}

function send(res, status, body) {
  const isJson = typeof body !== 'string';
  res.writeHead(status, {
    'content-type': isJson ? 'application/json' : 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(isJson ? JSON.stringify(body) : body);
}

function oauthError(res, status, error, description) {
  send(res, status, { error, error_description: description });
}

/** The client a request authenticates as (HTTP Basic or client_secret_post), or undefined. */
async function authenticateClient(provider, req, form) {
  let id = form.get('client_id');
  let secret = form.get('client_secret');
  const header = req.headers.authorization ?? '';
  if (header.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    id = decodeURIComponent(decoded.slice(0, colon));
    secret = decodeURIComponent(decoded.slice(colon + 1));
  }
  if (!id || !secret) return undefined;
  const client = await provider.Client.find(id);
  return client && constantEquals(client.clientSecret, secret) ? client : undefined;
}

/**
 * The record and claims of one of our live JWT access tokens (signature, issuer and expiry
 * checked, not revoked), or undefined.
 */
async function findJwtAccessToken(provider, token) {
  const parts = (token ?? '').split('.');
  if (parts.length !== 3) return undefined;
  let header;
  let payload;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const key = state.keys.find((candidate) => candidate.jwk.kid === header.kid);
  const signed = key && crypto.verify(
    'RSA-SHA256',
    Buffer.from(`${parts[0]}.${parts[1]}`),
    key.publicKey,
    Buffer.from(parts[2], 'base64url'),
  );
  if (!signed || payload.iss !== provider.issuer || !(payload.exp > Date.now() / 1000)) {
    return undefined;
  }
  const record = await jwtAccessTokens.find(payload.jti);
  return record ? { record, payload } : undefined;
}

/** Keycloak ends the whole session of a client: every token of the grant, and the grant. */
async function revokeGrant(provider, grantId) {
  await TokenStore.revokeByGrantId(grantId);
  await provider.Grant.adapter.destroy(grantId);
}

async function userinfo(provider, req, res) {
  const header = req.headers.authorization ?? '';
  const form = req.method === 'POST' ? await readForm(req) : new URLSearchParams();
  const token = header.toLowerCase().startsWith('bearer ')
    ? header.slice(7).trim()
    : form.get('access_token');
  const found = await findJwtAccessToken(provider, token);
  if (!found || !found.record.accountId) {
    res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
    return oauthError(res, 401, 'invalid_token', 'Token verification failed');
  }
  const scopes = found.payload.scope?.split(' ') ?? [];
  if (!scopes.includes('openid')) {
    return oauthError(res, 403, 'insufficient_scope', 'Missing openid scope');
  }
  const account = accountFor(found.record.accountId);
  if (!account) return oauthError(res, 401, 'invalid_token', 'User not found');
  const claims = filterClaims(account.claims(), scopes.filter((scope) => scope !== 'roles'));
  return send(res, 200, claims);
}

async function introspect(provider, req, res) {
  const form = await readForm(req);
  const client = await authenticateClient(provider, req, form);
  if (!client) return oauthError(res, 401, 'unauthorized_client', 'Authentication failed');
  const token = form.get('token');
  const found = await findJwtAccessToken(provider, token);
  if (found) {
    const { payload } = found;
    return send(res, 200, {
      ...payload,
      client_id: payload.azp,
      username: payload.preferred_username,
      token_type: 'Bearer',
      active: true,
    });
  }
  const refresh = await provider.RefreshToken.find(token ?? '');
  if (refresh && !refresh.isExpired && refresh.clientId === client.clientId) {
    return send(res, 200, {
      active: true,
      typ: 'Refresh',
      sub: refresh.accountId,
      client_id: refresh.clientId,
      azp: refresh.clientId,
      scope: refresh.scope,
      exp: refresh.exp,
      iat: refresh.iat,
      iss: provider.issuer,
    });
  }
  return send(res, 200, { active: false });
}

/** Keycloak's back-channel logout: POST refresh_token with client credentials, 204. */
async function backchannelLogout(provider, req, res) {
  const form = await readForm(req);
  const client = await authenticateClient(provider, req, form);
  if (!client) return oauthError(res, 401, 'unauthorized_client', 'Invalid client credentials');
  const refresh = await provider.RefreshToken.find(form.get('refresh_token') ?? '');
  if (!refresh || refresh.clientId !== client.clientId) {
    return oauthError(res, 400, 'invalid_grant', 'Invalid refresh token');
  }
  await revokeGrant(provider, refresh.grantId);
  res.writeHead(204);
  return res.end();
}

/** RFC 7009 revocation that also knows JWT access tokens; always 200 for a known client. */
async function revoke(provider, req, res) {
  const form = await readForm(req);
  const client = await authenticateClient(provider, req, form);
  if (!client) return oauthError(res, 401, 'unauthorized_client', 'Invalid client credentials');
  const token = form.get('token') ?? '';
  const found = await findJwtAccessToken(provider, token);
  if (found && found.record.clientId === client.clientId) {
    await jwtAccessTokens.destroy(found.payload.jti);
  } else {
    const refresh = await provider.RefreshToken.find(token);
    if (refresh && refresh.clientId === client.clientId) await revokeGrant(provider, refresh.grantId);
  }
  res.writeHead(200);
  return res.end();
}

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(action, message) {
  return `<!doctype html>
<html><head><title>Sign in to ${escapeHtml(REALM)}</title></head>
<body>
<h1>Sign in to ${escapeHtml(REALM)}</h1>
${message ? `<p id="input-error">${escapeHtml(message)}</p>` : ''}
<form id="kc-form-login" method="post" action="${escapeHtml(action)}">
<label>Username <input name="username" autocomplete="username" autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit" name="login">Sign In</button>
</form>
</body></html>
`;
}

/** The login form of the authorization-code flow; consent is granted without asking. */
async function interaction(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  const action = `${REALM_PATH}/login-actions/${details.uid}`;
  if (details.prompt.name === 'login') {
    if (req.method !== 'POST') return send(res, 200, loginPage(action));
    const form = await readForm(req);
    const user = authenticateUser(form.get('username'), form.get('password'));
    if (!user) {
      return send(res, 200, loginPage(action, 'Invalid username or password.'));
    }
    return provider.interactionFinished(req, res, { login: { accountId: user.sub } }, {
      mergeWithLastSubmission: false,
    });
  }
  const { prompt: { details: missing }, params, session, grantId } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  const consent = { grantId: await grant.save() };
  return provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
}

async function testControl(path, req, res, realm) {
  const body = JSON.parse((await readBody(req)) || '{}');
  if (path === '/_test/keys/rotate') {
    const key = newSigningKey();
    state.keys = body.keep_previous === false ? [key] : [key, ...state.keys];
    realm.rebuild();
    return send(res, 200, { kid: key.jwk.kid, kids: state.keys.map((k) => k.jwk.kid) });
  }
  if (path === '/_test/clock') {
    const seconds = Number(body.skew_seconds);
    if (!Number.isFinite(seconds)) return send(res, 400, { error: 'skew_seconds must be a number' });
    const previous = state.clockSkewMs / 1000;
    state.clockSkewMs = Math.round(seconds * 1000);
    return send(res, 200, { skew_seconds: seconds, previous });
  }
  if (path === '/_test/ttl') {
    const seconds = Number(body.access_token_seconds);
    if (!Number.isInteger(seconds) || seconds < 1) {
      return send(res, 400, { error: 'access_token_seconds must be a positive integer' });
    }
    const previous = state.accessTokenSeconds;
    state.accessTokenSeconds = seconds;
    return send(res, 200, { access_token_seconds: seconds, previous });
  }
  return send(res, 404, { error: 'unknown test control' });
}

/** The realm: the current provider, rebuilt (sharing its token store) when keys rotate. */
function createRealm(issuer) {
  const realm = {
    provider: undefined,
    handler: undefined,
    rebuild() {
      realm.provider = buildProvider(issuer);
      realm.handler = realm.provider.callback();
    },
  };
  realm.rebuild();
  return realm;
}

async function route(realm, req, res) {
  const url = new URL(req.url, `http://${HOST}`);
  const { pathname } = url;
  const { provider } = realm;
  if (req.method === 'POST' && pathname.startsWith('/_test/')) {
    return testControl(pathname, req, res, realm);
  }
  if (!pathname.startsWith(`${REALM_PATH}/`)) return send(res, 404, { error: 'Realm does not exist' });
  const path = pathname.slice(REALM_PATH.length);
  if (path.startsWith('/login-actions/')) return interaction(provider, req, res);
  if (path === `${OIDC}/userinfo`) return userinfo(provider, req, res);
  if (req.method === 'POST') {
    if (path === `${OIDC}/token/introspect`) return introspect(provider, req, res);
    if (path === `${OIDC}/logout`) return backchannelLogout(provider, req, res);
    if (path === `${OIDC}/revoke`) return revoke(provider, req, res);
  }
  req.originalUrl = req.url;
  req.url = req.url.slice(REALM_PATH.length);
  return realm.handler(req, res);
}

const server = http.createServer();
server.listen(Number(options.port), HOST, () => {
  const { port } = server.address();
  const issuer = `http://${HOST}:${port}${REALM_PATH}`;
  const realm = createRealm(issuer);
  server.on('request', (req, res) => {
    route(realm, req, res).catch((error) => {
      if (error instanceof errors.OIDCProviderError) {
        return oauthError(res, error.statusCode, error.error, error.error_description);
      }
      console.error(error);
      if (!res.headersSent) oauthError(res, 500, 'server_error', String(error.message));
      else res.end();
      return undefined;
    });
  });
  const ready = {
    issuer,
    port,
    realm: REALM,
    clients: Object.fromEntries(Object.entries(CLIENTS).map(([id, c]) => [id, c.secret])),
    users: Object.fromEntries(Object.entries(USERS).map(([name, user]) => [name, {
      sub: user.sub, password: user.password, email: user.email, roles: user.roles,
    }])),
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
});

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, shutdown);
if (options['exit-with-stdin']) {
  process.stdin.on('end', shutdown);
  process.stdin.resume();
}
