import { useEffect, useRef, useState } from "react";

import { count, fixed } from "./format.js";
import useOnScreen from "./useOnScreen.js";

// One card per source of the status: its live view (an MJPEG stream the browser plays by
// itself in an <img>), its state and throughput, and its RTSP address when it has one.
export default function SourceGrid({ status }) {
  if (!status) return <p className="loading" role="status">Loading sources…</p>;
  const sources = status.sources ?? [];
  if (sources.length === 0) return <p>No sources are configured.</p>;
  return (
    <ul className="source-grid">
      {sources.map((source) => (
        <li key={source.source}><SourceCard source={source} /></li>
      ))}
    </ul>
  );
}

function SourceCard({ source }) {
  const name = source.source;
  // A live view that failed (the source not streaming yet, or finished) is tried again
  // when the source's state changes, instead of showing a broken image meanwhile.
  const [liveFailed, setLiveFailed] = useState(false);
  useEffect(() => setLiveFailed(false), [source.state, source.live]);
  const frameRef = useRef(null);
  const watched = useOnScreen(frameRef);

  return (
    <article className="card source-card" aria-labelledby={`source-${name}`}>
      <div className="live-frame" ref={frameRef}>
        {source.live && !liveFailed && !watched ? (
          <p className="live-missing">Live view paused while out of sight</p>
        ) : source.live && !liveFailed ? (
          <img src={source.live} alt={`live view of ${name}`}
               onError={() => setLiveFailed(true)} />
        ) : (
          <p className="live-missing">No live view{source.state ? ` (${source.state})` : ""}</p>
        )}
      </div>
      <div className="card-body">
        <h3 id={`source-${name}`}>
          {name} <span className={`state state-${source.state}`}>{source.state ?? "unknown"}</span>
        </h3>
        <dl className="facts">
          <div><dt>fps out</dt><dd>{fixed(source.fps_out)}</dd></div>
          <div><dt>fps in</dt><dd>{fixed(source.fps_in)}</dd></div>
          <div><dt>frames in</dt><dd>{count(source.frames_in)}</dd></div>
          <div><dt>frames out</dt><dd>{count(source.frames_out)}</dd></div>
          {source.mode ? <div><dt>mode</dt><dd>{source.mode}</dd></div> : null}
          {source.reconnects ? <div><dt>reconnects</dt><dd>{count(source.reconnects)}</dd></div> : null}
          {source.live_viewers != null ? <div><dt>live views</dt><dd>{count(source.live_viewers)}</dd></div> : null}
        </dl>
        {source.rtsp ? <RtspAddress url={source.rtsp} /> : null}
      </div>
    </article>
  );
}

// A server listening on every interface names itself 0.0.0.0 (or ::), which no other
// machine can use: the name this page was opened by reaches it.
export function reachableUrl(url, hostname = window.location.hostname) {
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return url.replace(/^(rtsp:\/\/(?:[^@/]*@)?)(0\.0\.0\.0|\[::\])(?=[:/])/, `$1${host}`);
}

// The RTSP address as a link (for players registered for rtsp://) and a copy button,
// since most browsers cannot open it themselves.
function RtspAddress({ url: announced }) {
  const url = reachableUrl(announced);
  const textRef = useRef(null);
  const [copied, setCopied] = useState("");

  const copy = async () => {
    try {
      // Only available on https:// or the loopback; elsewhere select the text instead.
      await navigator.clipboard.writeText(url);
      setCopied("Copied");
    } catch {
      const range = document.createRange();
      range.selectNodeContents(textRef.current);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      setCopied("Selected: press Ctrl+C to copy");
    }
  };

  return (
    <p className="rtsp">
      <span className="rtsp-label">RTSP</span>{" "}
      <a href={url}><code ref={textRef}>{url}</code></a>{" "}
      <button type="button" className="small" onClick={copy}>Copy</button>
      <span className="copied" role="status">{copied}</span>
    </p>
  );
}
