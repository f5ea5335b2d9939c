import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// deepbug-stream serves the built page at "/", so the default absolute base is right.
// `npm run dev` forwards the API, the live views and the output files to a running
// deepbug-stream (DEEPBUG_URL, default its own default listen address).
const target = process.env.DEEPBUG_URL || "http://127.0.0.1:8090";
const forward = { target, changeOrigin: true };

export default defineConfig({
  plugins: [react()],
  build: {
    // CMake passes --outDir build/web; a plain `npm run build` writes web/dist.
    outDir: "dist",
    emptyOutDir: true,
  },
  server: {
    proxy: {
      "/api": forward,
      "/live": forward,
      "/files": forward,
    },
  },
});
