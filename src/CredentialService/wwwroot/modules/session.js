// The bearer token: kept in session storage only (this tab, until it closes or the user signs out),
// and decoded here for display. The signature is not checked in the browser: the service is the judge.

const STORAGE_KEY = 'credential-service.token';

export function loadToken() {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function saveToken(token) {
  sessionStorage.setItem(STORAGE_KEY, token);
}

export function forgetToken() {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** What people paste: the token, maybe with "Bearer " in front and whitespace around it. */
export function normalizeToken(raw) {
  return raw.trim().replace(/^Bearer\s+/i, '').trim();
}

/**
 * The claims this page shows: tenant, scopes, subject, expiry.
 * Throws an Error with a readable message when the text is not a JWT.
 */
export function readToken(token) {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[0] || !parts[1]) {
    throw new Error('This is not a JWT: a bearer token has three parts separated by dots (header.payload.signature).');
  }
  let payload;
  try {
    payload = JSON.parse(base64UrlDecode(parts[1]));
  } catch {
    throw new Error('The token\'s middle part is not readable JSON. Copy the whole token again.');
  }
  if (payload === null || typeof payload !== 'object') {
    throw new Error('The token\'s payload is not a JSON object. Copy the whole token again.');
  }

  const scopes = [payload.scope, payload.scp]
    .flatMap((value) => (Array.isArray(value) ? value : typeof value === 'string' ? value.split(' ') : []))
    .filter(Boolean);
  const expiresAt = typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : null;
  return {
    tenant: typeof payload.tenant_id === 'string' ? payload.tenant_id : null,
    scopes: [...new Set(scopes)],
    subject: typeof payload.sub === 'string' ? payload.sub : null,
    expiresAt,
    expired: expiresAt !== null && expiresAt.getTime() <= Date.now(),
  };
}

function base64UrlDecode(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}
