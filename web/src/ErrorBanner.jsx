// An API failure as the person should see it: the server's own `error` and `hint`
// (docs/web-api.md), announced to screen readers, with a way to try again.
export default function ErrorBanner({ error, onRetry }) {
  if (!error) return null;
  const what = error.error || error.message || String(error);
  return (
    <div className="error-banner" role="alert">
      <p className="error-what">
        {error.status ? <span className="error-status">{error.status}</span> : null}
        {what}
      </p>
      {error.hint ? <p className="error-hint">{error.hint}</p> : null}
      {onRetry ? <button type="button" onClick={onRetry}>Try again</button> : null}
    </div>
  );
}
