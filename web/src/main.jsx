import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import App from "./App.jsx";
import "./styles.css";

// By the time this runs the server has already swapped `?token=` for its cookie. Drop the
// parameter from the address bar (unread) so that it is not bookmarked, shared or kept in
// the history; the page itself relies on the cookie alone.
const address = new URL(window.location.href);
if (address.searchParams.has("token")) {
  address.searchParams.delete("token");
  window.history.replaceState(null, "", address);
}

createRoot(document.getElementById("root")).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
