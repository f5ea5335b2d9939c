import { useEffect, useState } from "react";

// Whether an element is on screen and the tab is showing. Each live view holds one of the
// browser's six HTTP/1.1 connections to the server for as long as it plays, so the page
// lets go of those nobody can see; otherwise a few sources starve the API requests.
// Leaving counts only after a while out of sight, so that scrolling past does not restart
// the streams.
const LEAVE_AFTER_MS = 5000;

export default function useOnScreen(ref) {
  const [intersecting, setIntersecting] = useState(true);
  const [tabShown, setTabShown] = useState(() => document.visibilityState !== "hidden");

  useEffect(() => {
    const element = ref.current;
    if (!element || typeof IntersectionObserver === "undefined") return undefined;
    let leaveTimer = null;
    const observer = new IntersectionObserver(([entry]) => {
      clearTimeout(leaveTimer);
      if (entry.isIntersecting) setIntersecting(true);
      else leaveTimer = setTimeout(() => setIntersecting(false), LEAVE_AFTER_MS);
    }, { rootMargin: "100px" });
    observer.observe(element);
    return () => { clearTimeout(leaveTimer); observer.disconnect(); };
  }, [ref]);

  useEffect(() => {
    const update = () => setTabShown(document.visibilityState !== "hidden");
    document.addEventListener("visibilitychange", update);
    return () => document.removeEventListener("visibilitychange", update);
  }, []);

  return intersecting && tabShown;
}
