import { useEffect, useState } from "react";

// Hash routing, so that the server has one page to serve and a reload keeps the view:
//   #/                          the overview: sources, their events, the reports
//   #/sources, #/events, #/reports   the overview, scrolled to that section
//   #/event/SOURCE/ID           one event

const SECTIONS = new Set(["sources", "events", "reports"]);

export function parseRoute(hash) {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  if (parts[0] === "event" && parts.length === 3) {
    try {
      return { page: "event", source: decodeURIComponent(parts[1]),
               id: decodeURIComponent(parts[2]) };
    } catch {
      // A mangled escape sequence: show the overview instead.
    }
  }
  if (parts.length === 1 && SECTIONS.has(parts[0])) return { page: "home", section: parts[0] };
  return { page: "home" };
}

export function useRoute() {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return route;
}
