import { useCallback, useEffect, useState } from "react";

import { fetchEvent } from "./api.js";
import ErrorBanner from "./ErrorBanner.jsx";
import { duration, peakIndex } from "./events.js";
import ScoreChart from "./ScoreChart.jsx";
import { count, fixed, seconds, wallTime } from "./format.js";

// One event: the explained frame's three pictures, the score curve around the event, the
// clip, and every explained frame (choosing one shows its pictures above).
export default function EventPage({ source, id }) {
  const [event, setEvent] = useState(null);
  const [error, setError] = useState(null);
  const [chosen, setChosen] = useState(null);  // index in explained; null = the peak

  const load = useCallback((isCancelled = () => false) => {
    setError(null);
    fetchEvent(source, id).then(
      (answer) => isCancelled() || setEvent(answer),
      (failure) => isCancelled() || setError(failure),
    );
  }, [source, id]);

  useEffect(() => {
    let cancelled = false;
    load(() => cancelled);
    return () => { cancelled = true; };
  }, [load]);

  const back = <p><a href="#/events">← All events</a></p>;
  if (error) return <>{back}<ErrorBanner error={error} onRetry={() => load()} /></>;
  if (!event) return <>{back}<p className="loading" role="status">Loading event {id}…</p></>;

  const explained = event.explained ?? [];
  const peak = peakIndex(event);
  const shownIndex = chosen ?? peak;
  const shown = explained[shownIndex];

  return (
    <article className="event-page" aria-labelledby="event-title">
      {back}
      <h2 id="event-title">Event {event.id} of {event.source}</h2>
      <dl className="facts">
        <div><dt>target</dt><dd>{event.target ?? "—"}</dd></div>
        <div><dt>start</dt><dd><time dateTime={event.start?.wall_time}>{wallTime(event.start?.wall_time)}</time></dd></div>
        <div><dt>duration</dt><dd>{seconds(duration(event))}</dd></div>
        <div><dt>frames</dt><dd>{count(event.frames)}</dd></div>
        <div><dt>mean score</dt><dd>{fixed(event.mean_score, 3)}</dd></div>
        <div><dt>stream position</dt><dd>{fixed(event.start?.pts, 2)}–{fixed(event.end?.pts, 2)} s</dd></div>
      </dl>

      <section aria-labelledby="snapshots-title">
        <h3 id="snapshots-title">
          {shown ? `Frame ${shown.frame} at ${fixed(shown.pts, 2)} s${shownIndex === peak ? " (peak)" : ""}` : "Snapshots"}
        </h3>
        {shown?.snapshot ? <Snapshots item={shown} /> : <p className="muted">No frame of this event was explained.</p>}
      </section>

      <section aria-labelledby="scores-title">
        <h3 id="scores-title">Score around the event</h3>
        <ScoreChart scores={event.scores ?? []} start={event.start?.pts} end={event.end?.pts}
                    marker={shown?.pts} target={event.target} />
      </section>

      <section aria-labelledby="clip-title">
        <h3 id="clip-title">Clip</h3>
        {event.clip ? (
          <video className="clip" controls preload="metadata" src={event.clip}>
            <a href={event.clip}>Download the clip</a>
          </video>
        ) : event.clip_pending ? (
          <p className="muted">
            The clip is cut from the finished recording when the run ends.
          </p>
        ) : (
          <p className="muted">No clip was written for this event.</p>
        )}
      </section>

      {explained.length ? (
        <section aria-labelledby="explained-title">
          <h3 id="explained-title">Explained frames</h3>
          <ol className="explained">
            {explained.map((item, index) => (
              <li key={`${item.frame}-${index}`}>
                <button type="button" aria-pressed={index === shownIndex}
                        onClick={() => setChosen(index)}>
                  {item.snapshot?.overlay ? <img src={item.snapshot.overlay} alt="" loading="lazy" /> : null}
                  <span>
                    Frame {item.frame} · {fixed(item.pts, 2)} s
                    {index === peak ? " · peak" : ""}
                    <br />
                    relevance {fixed(item.relevance?.explained, 3)}
                  </span>
                </button>
              </li>
            ))}
          </ol>
        </section>
      ) : null}
    </article>
  );
}

function Snapshots({ item }) {
  const pictures = [
    ["frame", "the frame"],
    ["heatmap", "the relevance heatmap"],
    ["overlay", "the heatmap over the frame"],
  ].filter(([key]) => item.snapshot[key]);
  return (
    <div className="snapshots">
      {pictures.map(([key, caption]) => (
        <figure key={key}>
          <a href={item.snapshot[key]}>
            <img src={item.snapshot[key]} alt={`${caption}, frame ${item.frame}`} />
          </a>
          <figcaption>{key}</figcaption>
        </figure>
      ))}
    </div>
  );
}
