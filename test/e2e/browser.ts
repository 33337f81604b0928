/**
 * Headless Chromium for the frontend tests: the system's /usr/bin/chromium driven by
 * playwright-core (no browser is downloaded), with every request that is not to 127.0.0.1
 * refused and the page's script errors collected.
 */
import * as fs from "fs";
import type { Browser, Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

export function loadPlaywright(): typeof import("playwright-core") | undefined {
  try {
    return require("playwright-core") as typeof import("playwright-core");
  } catch {
    return undefined;
  }
}

/** What is missing to drive a browser, or undefined when nothing is. */
export function missingBrowser(): string | undefined {
  if (!loadPlaywright()) return "playwright-core (npm install)";
  if (!fs.existsSync(CHROMIUM)) return `Chromium at ${CHROMIUM} (apt-get install chromium)`;
  return undefined;
}

/** True for the page's own server; everything else (CDNs, fonts, telemetry) is refused. */
export function isLoopback(url: string): boolean {
  if (url.startsWith("data:") || url.startsWith("blob:") || url.startsWith("about:")) return true;
  try {
    return new URL(url).hostname === "127.0.0.1";
  } catch {
    return false;
  }
}

export interface BrowserSession {
  browser: Browser;
  page: Page;
  /** URLs the page asked for off loopback (refused). */
  refused: string[];
  /** Uncaught script errors in the page. */
  pageErrors: string[];
}

export async function launchBrowser(viewport = { width: 1280, height: 1000 }): Promise<BrowserSession> {
  const playwright = loadPlaywright();
  if (!playwright) throw new Error(`cannot drive a browser without ${missingBrowser()}`);
  const browser = await playwright.chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const refused: string[] = [];
  const pageErrors: string[] = [];
  const context = await browser.newContext({ viewport });
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (isLoopback(url)) return route.continue();
    refused.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  return { browser, page, refused, pageErrors };
}
