// The service's HTTP API (/v1), as this page uses it. Every call carries the signed-in bearer token.
// Errors come back as RFC 9457 problems; ApiError keeps the status, the problem and the response headers.

/** The scope each kind of call needs (docs/api.md §Endpoints), to explain a 403 in words. */
export const Scope = {
  read: 'credentials:read',
  write: 'credentials:write',
  test: 'credentials:test',
};

export class ApiError extends Error {
  constructor(status, problem, headers) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;        // 0 when no response arrived
    this.problem = problem ?? {};
    this.headers = headers ?? new Headers();
  }

  /** ValidationProblemDetails' errors, keyed by JSON field name: { name: ["..."], appApiKey: ["..."] }. */
  get fieldErrors() {
    return this.problem.errors ?? {};
  }
}

let bearerToken = null;

export function useToken(token) {
  bearerToken = token;
}

async function call(method, path, { body, headers = {}, scope } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers }, cache: 'no-store' };
  if (bearerToken) init.headers.Authorization = `Bearer ${bearerToken}`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }

  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, { title: 'The service could not be reached', detail: 'Check your connection and try again.' });
  }

  const type = response.headers.get('Content-Type') ?? '';
  const payload = type.includes('json') ? await response.json().catch(() => null) : null;
  if (!response.ok) {
    const error = new ApiError(response.status, payload, response.headers);
    error.scope = scope;
    throw error;
  }
  return payload;
}

/** The ETag the service expects in If-Match: the credential's version, quoted. */
export const etagOf = (credential) => `"${credential.version}"`;

export const listCredentials = ({ q, region, lastOutcome, cursor, limit }) => {
  const query = new URLSearchParams();
  if (limit) query.set('limit', String(limit));
  if (q) query.set('q', q);
  if (region) query.set('region', region);
  if (lastOutcome) query.set('lastOutcome', lastOutcome);
  if (cursor) query.set('cursor', cursor);
  return call('GET', `/v1/credentials?${query}`, { scope: Scope.read });
};

export const getCredential = (id) =>
  call('GET', `/v1/credentials/${encodeURIComponent(id)}`, { scope: Scope.read });

export const createCredential = (fields, idempotencyKey) =>
  call('POST', '/v1/credentials', { body: fields, headers: { 'Idempotency-Key': idempotencyKey }, scope: Scope.write });

export const updateCredential = (credential, changes) =>
  call('PATCH', `/v1/credentials/${encodeURIComponent(credential.id)}`,
    { body: changes, headers: { 'If-Match': etagOf(credential) }, scope: Scope.write });

export const deleteCredential = (credential, { force = false } = {}) =>
  call('DELETE', `/v1/credentials/${encodeURIComponent(credential.id)}${force ? '?force=true' : ''}`,
    { headers: { 'If-Match': etagOf(credential) }, scope: Scope.write });

export const listUsages = (id) =>
  call('GET', `/v1/credentials/${encodeURIComponent(id)}/usages`, { scope: Scope.read });

export const testUnsavedKey = (appApiKey, region) =>
  call('POST', '/v1/credentials/test', { body: { appApiKey, region }, scope: Scope.test });

export const testStoredCredential = (id) =>
  call('POST', `/v1/credentials/${encodeURIComponent(id)}/test`, { body: undefined, scope: Scope.test });

/** One page of a credential's audit trail, newest first; pass the previous page's nextCursor for older events. */
export const listEvents = (id, cursor) =>
  call('GET', `/v1/credentials/${encodeURIComponent(id)}/events${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`,
    { scope: Scope.read });

/**
 * A sentence for a person, for any failed call. 401 and 403 say what is wrong with the token;
 * the rest use the problem's own title and detail (the service writes them for people).
 */
export function describeError(error, tokenScopes = []) {
  if (!(error instanceof ApiError)) return 'Something went wrong in this page. Reload it and try again.';
  const { status, problem, headers } = error;
  const trace = problem.traceId ? ` (Trace id: ${problem.traceId})` : '';
  switch (status) {
    case 0:
      return `${problem.title}. ${problem.detail}`;
    case 401: {
      const reason = /error_description="([^"]*)"/.exec(headers.get('WWW-Authenticate') ?? '')?.[1];
      return 'The service did not accept your token (401): it is missing, malformed, expired, or not issued for ' +
        'this service. Get a new token and sign in again.' + (reason ? ` The service said: ${reason}.` : '');
    }
    case 403: {
      const needed = error.scope ? `This needs the scope ${error.scope}` : 'This needs a scope your token does not have';
      const held = tokenScopes.length ? tokenScopes.join(', ') : 'no scopes';
      return `Your token is valid but does not allow this (403). ${needed} and a tenant_id claim; ` +
        `your token carries ${held}. Ask for a token with that scope.`;
    }
    case 429: {
      const after = headers.get('Retry-After');
      return (problem.detail || 'Too many requests.') + (after && !problem.detail ? ` Try again in ${after} s.` : '');
    }
    case 500:
      return `The service failed unexpectedly (500). Try again; if it keeps happening, report it${trace}.`;
    default:
      return sentences(problem.title, problem.detail) + trace || `The request failed (HTTP ${status}).`;
  }
}

/** Joins parts into sentences, adding a full stop only where one is missing. */
function sentences(...parts) {
  return parts.filter(Boolean).map((p) => (/[.!?]$/.test(p) ? p : `${p}.`)).join(' ');
}
