#!/usr/bin/env node
// Opens one page in Debian's headless Chromium and says whether a person would see it
// whole: console errors, uncaught page errors, failed requests, images that did not load,
// requests that left the machine, horizontal overflow; takes a full-page screenshot.
//
//   node check_page.mjs --page <file path or URL> --screenshot <png>
//        [--width 1280] [--height 800] [--wait-for <css selector>]
//        [--header 'Name: value']... [--timeout <ms>] [--fail-on-overflow]
//
// Prints one JSON object on stdout: {ok, console_errors, page_errors, failed_requests,
// broken_images, images, horizontal_overflow, overflowing, title, url, width, height}.
// Exit 0 when ok, 1 when the page has a problem, 2 on bad arguments or when the browser
// cannot run. A request to a host other than a file or the loopback is refused and
// reported as a failed request with reason "network request".
import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { chromium } from "playwright-core";

const USAGE =
  "usage: node check_page.mjs --page <file path or URL> --screenshot <png> [--width 1280] " +
  "[--height 800] [--wait-for <css selector>] [--header 'Name: value']... [--timeout <ms>] " +
  "[--fail-on-overflow]";

function usageError(message) {
  process.stderr.write(`check_page: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function positiveInt(name, text) {
  if (!/^[0-9]+$/.test(text ?? "") || Number(text) <= 0) {
    usageError(`${name} wants a positive whole number, not '${text}'`);
  }
  return Number(text);
}

function parseArgs(argv) {
  const options = {
    width: 1280,
    height: 800,
    timeout: 30000,
    headers: {},
    waitFor: null,
    failOnOverflow: false,
  };
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usageError(`${arg} needs a value`);
      return argv[++i];
    };
    switch (arg) {
      case "--page": options.page = value(); break;
      case "--screenshot": options.screenshot = value(); break;
      case "--width": options.width = positiveInt(arg, value()); break;
      case "--height": options.height = positiveInt(arg, value()); break;
      case "--timeout": options.timeout = positiveInt(arg, value()); break;
      case "--wait-for": options.waitFor = value(); break;
      case "--fail-on-overflow": options.failOnOverflow = true; break;
      case "--header": {
        const text = value();
        const colon = text.indexOf(":");
        if (colon <= 0) usageError(`--header wants 'Name: value', not '${text}'`);
        options.headers[text.slice(0, colon).trim()] = text.slice(colon + 1).trim();
        break;
      }
      case "--help":
      case "-h":
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
      default:
        usageError(`unknown argument '${arg}'`);
    }
  }
  if (!options.page) usageError("--page is required");
  if (!options.screenshot) usageError("--screenshot is required");
  if (/^(https?|file):\/\//i.test(options.page)) {
    options.url = options.page;
  } else {
    const file = resolve(options.page);
    if (!existsSync(file)) usageError(`no such page file '${options.page}'`);
    options.url = pathToFileURL(file).href;
  }
  return options;
}

// Pages under test stay on this machine: files, inline data and the loopback only.
function isLocal(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (["file:", "data:", "blob:", "about:"].includes(parsed.protocol)) return true;
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const executablePath = process.env.DEEPBUG_CHROMIUM || "/usr/bin/chromium";
  if (!existsSync(executablePath)) {
    process.stderr.write(`check_page: no browser at ${executablePath} (apt-get install chromium)\n`);
    process.exit(2);
  }

  let browser;
  try {
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });
  } catch (error) {
    process.stderr.write(`check_page: cannot start ${executablePath}: ${error.message}\n`);
    process.exit(2);
  }

  const report = {
    ok: false,
    url: options.url,
    width: options.width,
    height: options.height,
    title: "",
    console_errors: [],
    page_errors: [],
    failed_requests: [],
    broken_images: [],
    images: 0,
    horizontal_overflow: false,
    overflowing: [],
  };
  const refused = new Set();

  try {
    const context = await browser.newContext({
      viewport: { width: options.width, height: options.height },
      extraHTTPHeaders: options.headers,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(options.timeout);

    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const where = message.location();
      report.console_errors.push(
        where && where.url ? `${message.text()} (${where.url}:${where.lineNumber})` : message.text(),
      );
    });
    page.on("pageerror", (error) => report.page_errors.push(String(error.message ?? error)));
    page.on("requestfailed", (request) => {
      if (refused.has(request.url())) return;
      report.failed_requests.push({
        url: request.url(),
        reason: request.failure()?.errorText ?? "failed",
      });
    });
    page.on("response", (response) => {
      if (response.status() >= 400) {
        report.failed_requests.push({
          url: response.url(),
          reason: `HTTP ${response.status()}`,
        });
      }
    });
    page.on("websocket", (socket) => {
      if (!isLocal(socket.url().replace(/^ws/, "http"))) {
        report.failed_requests.push({ url: socket.url(), reason: "network request" });
      }
    });
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (isLocal(url)) return route.continue();
      refused.add(url);
      report.failed_requests.push({ url, reason: "network request" });
      return route.abort("blockedbyclient");
    });

    await page.goto(options.url, { waitUntil: "load", timeout: options.timeout });
    if (options.waitFor) {
      await page.waitForSelector(options.waitFor, { state: "attached", timeout: options.timeout });
    }

    // Lazy images count too: scroll through the page as a reader would, load every one,
    // then wait until each has finished or failed.
    await page.evaluate(async () => {
      const step = Math.max(window.innerHeight, 200);
      const end = document.scrollingElement ? document.scrollingElement.scrollHeight : 0;
      for (let y = 0; y < end; y += step) {
        window.scrollTo(0, y);
        await new Promise((done) => requestAnimationFrame(() => done()));
      }
      window.scrollTo(0, 0);
    });
    await page.evaluate(async (timeout) => {
      const images = Array.from(document.images);
      for (const image of images) image.loading = "eager";
      const settled = images.map(
        (image) =>
          new Promise((done) => {
            if (image.complete) return done();
            image.addEventListener("load", done, { once: true });
            image.addEventListener("error", done, { once: true });
          }),
      );
      await Promise.race([
        Promise.all(settled),
        new Promise((done) => setTimeout(done, Math.min(timeout, 10000))),
      ]);
    }, options.timeout);

    const seen = await page.evaluate(() => {
      const images = Array.from(document.images);
      const broken = images
        .filter((image) => !image.complete || image.naturalWidth === 0)
        .map((image) => ({
          src: image.getAttribute("src") ?? "",
          url: image.currentSrc || image.src,
          alt: image.getAttribute("alt") ?? "",
          reason: image.complete ? "did not load" : "still loading",
        }));
      const width = window.innerWidth;
      const overflowing = [];
      for (const element of document.body ? document.body.querySelectorAll("*") : []) {
        const box = element.getBoundingClientRect();
        if (box.right > width + 0.5 && overflowing.length < 10) {
          // Only the outermost culprit: skip elements inside one already named.
          if (overflowing.some((outer) => outer.element.contains(element))) continue;
          overflowing.push({ element, right: Math.round(box.right) });
        }
      }
      const describe = (element) =>
        element.tagName.toLowerCase() +
        (element.id ? `#${element.id}` : "") +
        (element.classList.length ? `.${Array.from(element.classList).join(".")}` : "");
      const scrolling = document.scrollingElement || document.documentElement;
      return {
        title: document.title,
        images: images.length,
        broken,
        horizontal_overflow: scrolling.scrollWidth > width,
        overflowing: overflowing.map((o) => ({ element: describe(o.element), right: o.right })),
      };
    });
    report.title = seen.title;
    report.images = seen.images;
    report.broken_images = seen.broken;
    report.horizontal_overflow = seen.horizontal_overflow;
    report.overflowing = seen.horizontal_overflow ? seen.overflowing : [];

    mkdirSync(dirname(resolve(options.screenshot)), { recursive: true });
    await page.screenshot({ path: options.screenshot, fullPage: true });
  } catch (error) {
    report.page_errors.push(`check_page: ${error.message.split("\n")[0]}`);
  } finally {
    await browser.close();
  }

  report.ok =
    report.console_errors.length === 0 &&
    report.page_errors.length === 0 &&
    report.failed_requests.length === 0 &&
    report.broken_images.length === 0 &&
    !(options.failOnOverflow && report.horizontal_overflow);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exit(report.ok ? 0 : 1);
}

main();
