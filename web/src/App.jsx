import { useCallback, useEffect, useRef, useState } from "react";

import { fetchSources, followStream } from "./api.js";
import ErrorBanner from "./ErrorBanner.jsx";
import EventList from "./EventList.jsx";
import EventPage from "./EventPage.jsx";
import ReportList from "./ReportList.jsx";
import SourceGrid from "./SourceGrid.jsx";
import { unixTime } from "./format.js";
import { useRoute } from "./route.js";

const CONNECTION_TEXT = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Connection lost — reconnecting…",
};

export default function App() {
  const route = useRoute();
  const [status, setStatus] = useState(null);  // the /api/sources object
  const [statusError, setStatusError] = useState(null);
  const [connection, setConnection] = useState("connecting");
  // Goes up each time the event stream comes back after a loss: the lists refetch then,
  // since new-event messages sent while we were away are not replayed.
  const [generation, setGeneration] = useState(0);
  const newEventListeners = useRef(new Set());

  const loadSources = useCallback(() => {
    fetchSources().then(
      (answer) => { setStatus(answer); setStatusError(null); },
      (error) => setStatusError(error),
    );
  }, []);

  useEffect(() => { loadSources(); }, [loadSources, generation]);

  useEffect(() => followStream({
    onStatus: (answer) => { setStatus(answer); setStatusError(null); },
    onNewEvent: (event) => newEventListeners.current.forEach((listener) => listener(event)),
    onConnection: (state, { reopened = false } = {}) => {
      setConnection(state);
      if (reopened) setGeneration((value) => value + 1);
    },
  }), []);

  // Each events list hears about new events of its own source through this.
  const subscribe = useCallback((listener) => {
    newEventListeners.current.add(listener);
    return () => newEventListeners.current.delete(listener);
  }, []);

  // The section links (#/sources, #/events, #/reports) scroll once the overview is drawn.
  useEffect(() => {
    if (route.page === "home" && route.section) {
      document.getElementById(route.section)?.scrollIntoView();
    } else {
      window.scrollTo(0, 0);
    }
  }, [route]);

  const sources = status?.sources ?? [];

  return (
    <>
      <a className="skip-link" href="#main" onClick={(click) => {
        // A plain #main would be read as a route: move the focus by hand instead.
        click.preventDefault();
        document.getElementById("main")?.focus();
      }}>Skip to content</a>
      <header className="site-header">
        <div className="site-title">
          <h1><a href="#/">DeepBug Stream</a></h1>
          <p className="pipeline-state">
            {status ? (status.running ? "pipeline running" : "pipeline stopped") : "…"}
            {status?.updated ? ` · updated ${unixTime(status.updated)}` : ""}
          </p>
        </div>
        <p className={`connection connection-${connection}`} role="status">
          {CONNECTION_TEXT[connection]}
        </p>
        <nav aria-label="Sections">
          <ul>
            <li><a href="#/sources">Sources</a></li>
            <li><a href="#/events">Events</a></li>
            <li><a href="#/reports">Reports</a></li>
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {route.page === "event" ? (
          <EventPage key={`${route.source}/${route.id}`} source={route.source} id={route.id} />
        ) : (
          <>
            <ErrorBanner error={statusError} onRetry={loadSources} />
            <section id="sources" aria-labelledby="sources-title">
              <h2 id="sources-title">Sources</h2>
              <SourceGrid status={status} />
            </section>
            <section id="events" aria-labelledby="events-title">
              <h2 id="events-title">Events</h2>
              {status && sources.length === 0 ? <p>No sources, so no events.</p> : null}
              <div className="event-lists">
                {sources.map((source) => (
                  <EventList key={source.source} source={source.source}
                             subscribe={subscribe} generation={generation} />
                ))}
              </div>
            </section>
            <section id="reports" aria-labelledby="reports-title">
              <h2 id="reports-title">Reports</h2>
              <ReportList generation={generation} />
            </section>
          </>
        )}
      </main>
    </>
  );
}
