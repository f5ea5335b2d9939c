import { useCallback, useEffect, useReducer } from "react";

import { fetchEvents } from "./api.js";
import ErrorBanner from "./ErrorBanner.jsx";
import { duration, eventHref, peakSnapshot, sameEvent } from "./events.js";
import { fixed, seconds, wallTime } from "./format.js";

const PAGE = 20;

// `offset` counts the server's events this list already holds, new ones included: the
// server lists newest first, so each event that arrives pushes the older pages down by one.
const initial = { events: [], total: 0, offset: 0, loading: true, error: null };

function reduce(state, action) {
  switch (action.type) {
    case "loading":
      return { ...state, loading: true, error: null };
    case "failed":
      return { ...state, loading: false, error: action.error };
    case "page": {
      const { answer, replace } = action;
      const known = replace ? [] : state.events;
      const older = (answer.events ?? []).filter((e) => !known.some((k) => sameEvent(k, e)));
      return {
        events: [...known, ...older],
        total: answer.total ?? 0,
        offset: (answer.offset ?? 0) + (answer.events?.length ?? 0),
        loading: false,
        error: null,
      };
    }
    case "new-event":
      if (state.events.some((e) => sameEvent(e, action.event))) return state;
      return { ...state, events: [action.event, ...state.events],
               total: state.total + 1, offset: state.offset + 1 };
    default:
      return state;
  }
}

// The events of one source, newest first: a first page, older ones on request, and new
// ones from the event stream put on top.
export default function EventList({ source, subscribe, generation }) {
  const [state, dispatch] = useReducer(reduce, initial);

  const load = useCallback((offset, replace, isCancelled = () => false) => {
    dispatch({ type: "loading" });
    fetchEvents(source, { offset, limit: PAGE }).then(
      (answer) => isCancelled() || dispatch({ type: "page", answer, replace }),
      (error) => isCancelled() || dispatch({ type: "failed", error }),
    );
  }, [source]);

  useEffect(() => {
    let cancelled = false;
    load(0, true, () => cancelled);
    return () => { cancelled = true; };
  }, [load, generation]);

  useEffect(() => subscribe((event) => {
    if (event.source === source) dispatch({ type: "new-event", event });
  }), [source, subscribe]);

  const { events, total, offset, loading, error } = state;
  const headingId = `events-${source}`;

  return (
    <section className="card event-list" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {source}{" "}
        <span className="muted">{events.length || (!loading && !error) ? `${total} events` : ""}</span>
      </h3>
      <ErrorBanner error={error} onRetry={() => load(events.length ? offset : 0, !events.length)} />
      {events.length ? (
        <ol className="events">
          {events.map((event) => <EventRow key={event.id} event={event} />)}
        </ol>
      ) : !loading && !error ? (
        <p className="muted">No events yet.</p>
      ) : null}
      {loading ? <p className="loading" role="status">Loading events…</p> : null}
      {!loading && offset < total ? (
        <button type="button" onClick={() => load(offset, false)}>
          Older events ({total - offset} more)
        </button>
      ) : null}
    </section>
  );
}

function EventRow({ event }) {
  const overlay = peakSnapshot(event)?.overlay;
  return (
    <li>
      <a className="event-row" href={eventHref(event)}>
        {overlay ? (
          <img className="thumb" src={overlay} loading="lazy"
               alt={`heatmap overlay of event ${event.id}'s peak frame`} />
        ) : (
          <span className="thumb thumb-missing">no snapshot</span>
        )}
        <span className="event-text">
          <strong>Event {event.id}</strong>
          {event.target ? <span className="target"> · {event.target}</span> : null}
          <span className="event-facts">
            <time dateTime={event.start?.wall_time}>{wallTime(event.start?.wall_time)}</time>
            <span>{seconds(duration(event))}</span>
            <span>mean score {fixed(event.mean_score, 3)}</span>
          </span>
        </span>
      </a>
    </li>
  );
}
