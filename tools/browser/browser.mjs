#!/usr/bin/env node
// Headless Chromium for the observatoire: accessibility checks, PDF, screenshots.
//
// Drives the system chromium (Debian's package) through playwright-core: no
// browser is downloaded. One browser serves every page of a call.
//
//   node browser.mjs axe PAGE...              JSON on stdout: per page, the axe-core
//        [--width PX] [--tags a,b]           violations (WCAG 2.0/2.1 A and AA by
//                                            default) and the page's width at PX
//   node browser.mjs pdf PAGE OUT.pdf         A4 print of a page (tagged, outlined)
//   node browser.mjs screenshot PAGE OUT.png  full-page screenshot
//        [--width PX]
//   node browser.mjs layout PAGE...           JSON on stdout: per page at PX, the
//        [--width PX]                        document's width and each image's
//                                            rendered width (charts on a phone)
//
// PAGE is a file path or a file:// URL. CHROMIUM names the browser binary
// (default: chromium on PATH). Exit status: 0 done, 2 bad use, 3 browser error.

import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

const DEFAULT_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

function usage(message) {
  process.stderr.write(`browser.mjs: ${message}\n`);
  process.exit(2);
}

function parse(argv) {
  const options = { width: 1280, tags: DEFAULT_TAGS };
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--width") {
      options.width = Number.parseInt(argv[++i], 10);
      if (!(options.width > 0)) usage("--width needs a number of pixels");
    } else if (a === "--tags") {
      options.tags = (argv[++i] || "").split(",").filter(Boolean);
    } else if (a.startsWith("--")) {
      usage(`unknown option ${a}`);
    } else {
      rest.push(a);
    }
  }
  return { options, rest };
}

function toUrl(page) {
  if (/^[a-z]+:\/\//.test(page)) return page;
  if (!existsSync(page)) usage(`${page}: no such file`);
  return pathToFileURL(path.resolve(page)).href;
}

function executable() {
  const name = process.env.CHROMIUM || "chromium";
  if (name.includes("/")) return name;
  for (const dir of (process.env.PATH || "").split(":")) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return name;
}

async function launch() {
  return chromium.launch({
    executablePath: executable(),
    headless: true,
    // root in CI: Chromium's sandbox needs a user namespace it does not get
    chromiumSandbox: false,
    // local pages only: no background updates, sync or field trials
    args: [
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
    ],
  });
}

async function runAxe(browser, pages, options) {
  const axePath = require.resolve("axe-core/axe.min.js");
  const context = await browser.newContext({
    viewport: { width: options.width, height: 900 },
    locale: "fr-FR",
  });
  const out = [];
  for (const page of pages) {
    const tab = await context.newPage();
    await tab.goto(toUrl(page), { waitUntil: "load" });
    await tab.addScriptTag({ path: axePath });
    const result = await tab.evaluate(async (tags) => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document, {
        runOnly: { type: "tag", values: tags },
        resultTypes: ["violations", "incomplete"],
      });
      const brief = (items) =>
        items.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          tags: v.tags.filter((t) => t.startsWith("wcag")),
          nodes: v.nodes.length,
          targets: v.nodes.slice(0, 10).map((n) => n.target.join(" ")),
        }));
      return {
        axe_version: r.testEngine.version,
        violations: brief(r.violations),
        incomplete: brief(r.incomplete),
      };
    }, options.tags);
    const layout = await tab.evaluate(() => ({
      scroll_width: document.documentElement.scrollWidth,
      client_width: document.documentElement.clientWidth,
      // tables in a scrolling region: how much of each the window shows
      tables: [...document.querySelectorAll(".table-wrap")].map((w) => ({
        label: w.getAttribute("aria-label") || "",
        scroll_width: w.scrollWidth,
        client_width: w.clientWidth,
      })),
    }));
    out.push({ page, width: options.width, ...layout, ...result });
    await tab.close();
  }
  await context.close();
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}

async function printPdf(browser, page, target) {
  const context = await browser.newContext({ locale: "fr-FR" });
  const tab = await context.newPage();
  await tab.goto(toUrl(page), { waitUntil: "load" });
  await tab.pdf({
    path: target,
    format: "A4",
    preferCSSPageSize: true, // the print stylesheet's @page (landscape pages)
    printBackground: true,
    tagged: true, // structure tags: a screen reader can read the PDF
    outline: true, // bookmarks from the headings
    displayHeaderFooter: true,
    headerTemplate: "<span></span>",
    footerTemplate:
      '<div style="font-size:8pt;width:100%;text-align:center;color:#444">' +
      '<span class="pageNumber"></span> / <span class="totalPages"></span></div>',
    margin: { top: "12mm", bottom: "14mm", left: "12mm", right: "12mm" },
  });
  await context.close();
}

async function screenshot(browser, page, target, options) {
  const context = await browser.newContext({
    viewport: { width: options.width, height: 900 },
    locale: "fr-FR",
  });
  const tab = await context.newPage();
  await tab.goto(toUrl(page), { waitUntil: "load" });
  await tab.screenshot({ path: target, fullPage: true });
  await context.close();
}

async function layout(browser, pages, options) {
  const context = await browser.newContext({
    viewport: { width: options.width, height: 900 },
    locale: "fr-FR",
  });
  const out = [];
  for (const page of pages) {
    const tab = await context.newPage();
    await tab.goto(toUrl(page), { waitUntil: "load" });
    const result = await tab.evaluate(() => ({
      scroll_width: document.documentElement.scrollWidth,
      client_width: document.documentElement.clientWidth,
      // in document order; the region: a focusable scroll container around it
      images: [...document.querySelectorAll("img")].map((img) => {
        const region = img.closest("[role=region][tabindex='0']");
        return {
          alt: img.alt.slice(0, 120),
          width: img.getBoundingClientRect().width,
          region: region ? region.getAttribute("aria-label") : null,
          region_width: region ? region.clientWidth : null,
        };
      }),
    }));
    out.push({ page, width: options.width, ...result });
    await tab.close();
  }
  await context.close();
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}

async function main() {
  const [command, ...argv] = process.argv.slice(2);
  const { options, rest } = parse(argv);
  if (command === "axe" || command === "layout") {
    if (!rest.length) usage(`${command} needs at least one page`);
  } else if (command === "pdf" || command === "screenshot") {
    if (rest.length !== 2) usage(`${command} needs a page and an output file`);
  } else {
    usage("command is one of axe, layout, pdf, screenshot");
  }
  let browser;
  try {
    browser = await launch();
    if (command === "axe") await runAxe(browser, rest, options);
    else if (command === "layout") await layout(browser, rest, options);
    else if (command === "pdf") await printPdf(browser, rest[0], rest[1]);
    else await screenshot(browser, rest[0], rest[1], options);
  } catch (err) {
    process.stderr.write(`browser.mjs: ${err.message.split("\n")[0]}\n`);
    process.exitCode = 3;
  } finally {
    if (browser) await browser.close();
  }
}

await main();
