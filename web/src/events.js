// What the page derives from an EVENT of the API (docs/web-api.md).

/** end.pts - start.pts, or undefined when the event lacks either. */
export function duration(event) {
  const start = event?.start?.pts;
  const end = event?.end?.pts;
  return typeof start === "number" && typeof end === "number" ? end - start : undefined;
}

/**
 * The index in `explained` of the thumbnail frame: the event's highest-scoring frame
 * (`peak`: {frame, pts, score, …}) when it was explained, else the frame of highest
 * relevance.
 */
export function peakIndex(event) {
  const explained = event?.explained ?? [];
  if (explained.length === 0) return -1;
  const peak = event.peak;
  if (peak && typeof peak === "object") {
    const byFrame = explained.findIndex((item) => item.frame === peak.frame);
    if (byFrame >= 0) return byFrame;
  }
  let best = 0;
  explained.forEach((item, index) => {
    const relevance = item.relevance?.explained ?? -Infinity;
    if (relevance > (explained[best].relevance?.explained ?? -Infinity)) best = index;
  });
  return best;
}

/** The peak frame's snapshot ({frame, heatmap, overlay}), or undefined. */
export function peakSnapshot(event) {
  const index = peakIndex(event);
  return index >= 0 ? event.explained[index].snapshot : undefined;
}

/** The page's address of one event. */
export function eventHref(event) {
  return `#/event/${encodeURIComponent(event.source)}/${encodeURIComponent(event.id)}`;
}

/** Same event = same source and id (a new-event may repeat one already listed). */
export function sameEvent(a, b) {
  return a.source === b.source && String(a.id) === String(b.id);
}
