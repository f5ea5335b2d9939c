// How numbers and times read on the page. Everything tolerates a missing value ("—"),
// since a source that has not started yet reports only part of its fields.

const DASH = "—";

const isNumber = (value) => typeof value === "number" && Number.isFinite(value);

export function fixed(value, digits = 1) {
  return isNumber(value) ? value.toFixed(digits) : DASH;
}

export function count(value) {
  return isNumber(value) ? value.toLocaleString() : DASH;
}

/** Seconds as "4.2 s", or "1 min 5 s" from a minute on. */
export function seconds(value) {
  if (!isNumber(value)) return DASH;
  if (value < 60) return `${value.toFixed(1)} s`;
  const minutes = Math.floor(value / 60);
  return `${minutes} min ${Math.round(value - minutes * 60)} s`;
}

/** An ISO-8601 UTC time (events' wall_time) in the viewer's local time. */
export function wallTime(iso) {
  if (!iso) return DASH;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** Unix seconds (the status' "updated") as a local clock time. */
export function unixTime(value) {
  return isNumber(value) ? new Date(value * 1000).toLocaleTimeString() : DASH;
}
