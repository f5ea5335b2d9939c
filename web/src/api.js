// The one place that talks to deepbug-stream (docs/web-api.md). Every URL is a relative,
// same-origin path: the server swaps `?token=` for an HttpOnly cookie, so the page never
// sees or sends the token itself — the cookie rides along with each request.

/** An answer other than 2xx, carrying the API's `{error, hint}` when it sent one. */
export class ApiError extends Error {
  constructor(status, error, hint) {
    super(error);
    this.status = status;
    this.error = error;
    this.hint = hint;
  }
}

async function getJson(path) {
  let response;
  try {
    response = await fetch(path, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
  } catch (cause) {
    throw new ApiError(0, `cannot reach the server (${cause.message})`,
      "Is deepbug-stream still running?");
  }
  if (!response.ok) {
    let body = {};
    try {
      body = await response.json();
    } catch {
      // Not the API's JSON (a proxy's error page, say): fall back to the status line.
    }
    throw new ApiError(response.status,
      body.error || `${path}: HTTP ${response.status} ${response.statusText}`,
      body.hint || (response.status === 401
        ? "Open the page once as /?token=YOUR_TOKEN to sign in."
        : undefined));
  }
  return response.json();
}

export function fetchSources() {
  return getJson("/api/sources");
}

export function fetchEvents(source, { offset = 0, limit = 20 } = {}) {
  const query = new URLSearchParams({ source, offset: String(offset), limit: String(limit) });
  return getJson(`/api/events?${query}`);
}

export function fetchEvent(source, id) {
  return getJson(`/api/events/${encodeURIComponent(source)}/${encodeURIComponent(id)}`);
}

export function fetchReports() {
  return getJson("/api/reports");
}

// EventSource retries by itself after a dropped connection, but gives up for good when
// an answer is not an event stream (a 401 after a restart with a new token, a proxy's
// 502): then we open a new one ourselves after this long.
const REOPEN_AFTER_MS = 5000;

/**
 * Follows GET /api/stream. Calls onStatus(sourcesObject), onNewEvent(event) and
 * onConnection("connecting" | "live" | "reconnecting"), the last one also with
 * `{reopened: true}` when a connection comes back, so callers can fetch what they missed.
 * Returns a function that stops following.
 */
export function followStream({ onStatus, onNewEvent, onConnection }) {
  let stream = null;
  let reopenTimer = null;
  let wasLive = false;
  let stopped = false;

  const parse = (message) => {
    try {
      return JSON.parse(message.data);
    } catch {
      return null;  // a malformed message is dropped, not fatal
    }
  };

  const open = () => {
    stream = new EventSource("/api/stream");
    onConnection(wasLive ? "reconnecting" : "connecting");
    stream.onopen = () => {
      onConnection("live", { reopened: wasLive });
      wasLive = true;
    };
    stream.onerror = () => {
      if (stopped) return;
      onConnection("reconnecting");
      if (stream.readyState === EventSource.CLOSED) {
        wasLive = true;  // whatever comes next is a reconnection
        clearTimeout(reopenTimer);
        reopenTimer = setTimeout(open, REOPEN_AFTER_MS);
      }
    };
    stream.addEventListener("status", (message) => {
      const status = parse(message);
      if (status) onStatus(status);
    });
    stream.addEventListener("new-event", (message) => {
      const event = parse(message);
      if (event) onNewEvent(event);
    });
  };

  open();
  return () => {
    stopped = true;
    clearTimeout(reopenTimer);
    stream?.close();
  };
}
