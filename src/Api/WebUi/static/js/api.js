// The public API, called with the token the user signed in with (kept in sessionStorage: gone with the tab).

const TOKEN_KEY = 'remote_executor.token';

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** An answer that was not a success: HTTP status, envelope code and the server's message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let onUnauthorized = () => {};

/** What to do when the server refuses the token (401): sign in again. */
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

export function authHeaders(value = token.get()) {
  return value ? { Authorization: `Bearer ${value}` } : {};
}

/** Envelope codes that carry a normal answer (success, in progress, failed step, pending, paused). */
const ANSWER_CODES = new Set([0, 1001, 1002, 1004, 1005]);

/**
 * Calls the API and returns {envelope, response}. Throws ApiError with the envelope's message when the HTTP status
 * is not 2xx or the code is an error code.
 */
export async function call(method, path, { body, contentType, signal, tokenValue } = {}) {
  const headers = { Accept: 'application/json', ...authHeaders(tokenValue) };
  if (body !== undefined) headers['Content-Type'] = contentType ?? 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body, signal, cache: 'no-store' });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 0, 'the server cannot be reached');
  }
  const envelope = await readEnvelope(response);
  if (response.status === 401 && tokenValue === undefined) onUnauthorized(envelope.message);
  if (!response.ok || !ANSWER_CODES.has(envelope.code)) {
    throw new ApiError(response.status, envelope.code, envelope.message || `HTTP ${response.status}`);
  }
  return { envelope, response };
}

/** The JSON envelope of a response, or a stand-in naming the HTTP status when the body is not one. */
export async function readEnvelope(response) {
  try {
    const json = await response.json();
    if (json && typeof json === 'object' && 'code' in json) return json;
  } catch { /* not JSON */ }
  return { code: response.ok ? 0 : 500, message: `HTTP ${response.status}`, data: null };
}

export const get = (path, options) => call('GET', path, options).then((a) => a.envelope);

export const enc = encodeURIComponent;
