import { useCallback, useEffect, useState } from "react";

import { fetchReports } from "./api.js";
import ErrorBanner from "./ErrorBanner.jsx";

// The deepbug-eval report.html files the server found under the output directory.
export default function ReportList({ generation }) {
  const [reports, setReports] = useState(null);
  const [error, setError] = useState(null);

  const load = useCallback((isCancelled = () => false) => {
    setError(null);
    fetchReports().then(
      (answer) => isCancelled() || setReports(answer.reports ?? []),
      (failure) => isCancelled() || setError(failure),
    );
  }, []);

  useEffect(() => {
    let cancelled = false;
    load(() => cancelled);
    return () => { cancelled = true; };
  }, [load, generation]);

  if (error) return <ErrorBanner error={error} onRetry={() => load()} />;
  if (!reports) return <p className="loading" role="status">Loading reports…</p>;
  if (reports.length === 0) {
    return <p className="muted">No deepbug-eval reports under the output directory.</p>;
  }
  return (
    <ul className="reports">
      {reports.map((report) => (
        <li key={report.url}><a href={report.url}>{report.path}</a></li>
      ))}
    </ul>
  );
}
