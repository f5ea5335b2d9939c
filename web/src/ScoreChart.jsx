import { useEffect, useId, useRef, useState } from "react";

// The score curve around an event as inline SVG: the event's span shaded between its
// start and end, the frame shown above marked. Drawn at the container's real width (not
// a scaled viewBox) so that its labels keep their size on a phone.

const HEIGHT = 220;
const PAD = { left: 52, right: 14, top: 14, bottom: 38 };

function useWidth(ref, fallback) {
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const element = ref.current;
    if (!element) return undefined;
    const observer = new ResizeObserver(([entry]) => {
      setWidth(Math.max(200, Math.floor(entry.contentRect.width)));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

/** About `wanted` round tick values between lo and hi. */
function ticks(lo, hi, wanted) {
  const raw = (hi - lo) / wanted;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const first = Math.ceil(lo / step) * step;
  const values = [];
  for (let value = first; value <= hi + step * 1e-9; value += step) values.push(value);
  return { values, step };
}

const decimals = (step) => Math.max(0, -Math.floor(Math.log10(step)));

export default function ScoreChart({ scores, start, end, marker, target }) {
  const boxRef = useRef(null);
  const width = useWidth(boxRef, 640);
  const titleId = useId();
  const descId = useId();

  const points = scores.filter((p) => Number.isFinite(p.pts) && Number.isFinite(p.score));
  if (points.length === 0) {
    return <p className="muted" ref={boxRef}>No score curve was sent for this event.</p>;
  }

  const xs = points.map((p) => p.pts).concat([start, end].filter(Number.isFinite));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  if (x1 - x0 < 1e-6) { x0 -= 0.5; x1 += 0.5; }
  const ys = points.map((p) => p.score);
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  // A flat curve still gets some height; scores are probabilities, so stay within [0, 1].
  const margin = Math.max((y1 - y0) * 0.15, 0.01);
  y0 = Math.max(0, y0 - margin);
  y1 = Math.min(1, y1 + margin);

  const plotW = width - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const sx = (x) => PAD.left + ((x - x0) / (x1 - x0)) * plotW;
  const sy = (y) => PAD.top + (1 - (y - y0) / (y1 - y0)) * plotH;

  const line = points.map((p, i) => `${i ? "L" : "M"}${sx(p.pts).toFixed(1)},${sy(p.score).toFixed(1)}`).join("");
  const xTicks = ticks(x0, x1, Math.max(2, Math.floor(plotW / 90)));
  const yTicks = ticks(y0, y1, 4);
  const hasSpan = Number.isFinite(start) && Number.isFinite(end);

  return (
    <figure className="score-chart" ref={boxRef}>
      <svg width={width} height={HEIGHT} role="img" aria-labelledby={`${titleId} ${descId}`}>
        <title id={titleId}>Score{target ? ` of ${target}` : ""} over the stream position</title>
        <desc id={descId}>
          {`${points.length} scores from ${x0.toFixed(2)} s to ${x1.toFixed(2)} s, between `}
          {`${Math.min(...ys).toFixed(3)} and ${Math.max(...ys).toFixed(3)}`}
          {hasSpan ? `; the event runs from ${start.toFixed(2)} s to ${end.toFixed(2)} s.` : "."}
        </desc>
        {hasSpan ? (
          <rect className="chart-span" x={sx(start)} y={PAD.top}
                width={Math.max(1, sx(end) - sx(start))} height={plotH} />
        ) : null}
        {yTicks.values.map((v) => (
          <g key={`y${v}`}>
            <line className="chart-grid" x1={PAD.left} x2={width - PAD.right} y1={sy(v)} y2={sy(v)} />
            <text className="chart-label" x={PAD.left - 6} y={sy(v)} textAnchor="end" dominantBaseline="middle">
              {v.toFixed(decimals(yTicks.step))}
            </text>
          </g>
        ))}
        {xTicks.values.map((v) => (
          <text key={`x${v}`} className="chart-label" x={sx(v)} y={HEIGHT - PAD.bottom + 16} textAnchor="middle">
            {v.toFixed(decimals(xTicks.step))}
          </text>
        ))}
        <text className="chart-label" x={PAD.left + plotW / 2} y={HEIGHT - 4} textAnchor="middle">
          stream position (s)
        </text>
        {hasSpan ? (
          <>
            <line className="chart-edge" x1={sx(start)} x2={sx(start)} y1={PAD.top} y2={PAD.top + plotH} />
            <line className="chart-edge" x1={sx(end)} x2={sx(end)} y1={PAD.top} y2={PAD.top + plotH} />
          </>
        ) : null}
        <path className="chart-line" d={line} />
        {Number.isFinite(marker) ? (
          <line className="chart-marker" x1={sx(marker)} x2={sx(marker)} y1={PAD.top} y2={PAD.top + plotH} />
        ) : null}
        <rect className="chart-frame" x={PAD.left} y={PAD.top} width={plotW} height={plotH} />
      </svg>
      <figcaption>
        <span className="key"><span className="swatch swatch-line" aria-hidden="true" /> score{target ? ` (${target})` : ""}</span>
        {hasSpan ? <span className="key"><span className="swatch swatch-span" aria-hidden="true" /> the event</span> : null}
        {Number.isFinite(marker) ? <span className="key"><span className="swatch swatch-marker" aria-hidden="true" /> frame shown</span> : null}
      </figcaption>
    </figure>
  );
}
