// Reads the built website (make html) in a real browser, as learners do, and fails on what
// they would trip over:
//   - axe-core on every page, light and dark, at desktop (1400 px) and phone (390 px) widths:
//     any serious or critical violation fails;
//   - the sidebar menus: the lessons menu and the contents menu open when clicked (phone) and
//     the lessons sidebar folds away and back (desktop);
//   - layout: no page scrolls sideways, no lesson's code cell scrolls sideways at desktop width,
//     and on a phone every gradient-check table's caption is in view;
//   - the pages ask for nothing beyond the site's own files.
//
//   make site-check                      (installs this folder's packages with npm, then runs)
//   node tools/site_check/check.mjs [--site build/html] [--shots DIR]
//
// Needs Chromium; set CHROMIUM to its path if it is not /usr/bin/chromium.
import { readFileSync, readdirSync, existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const WIDTHS = { desktop: [1400, 1000], phone: [390, 844] };
const MODES = ["light", "dark"];

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const site = resolve(option("--site", "build/html"));
const shots = option("--shots", null);
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
if (!existsSync(join(site, "index.html"))) {
  console.error(`site_check: no website at ${site}; build it first with: make html`);
  process.exit(2);
}
if (!existsSync(chromium)) {
  console.error(`site_check: no Chromium at ${chromium}; install it or set CHROMIUM=/path/to/it`);
  process.exit(2);
}

const lessons = readdirSync(join(site, "notebooks"))
  .filter((f) => f.endsWith(".html"))
  .sort()
  .map((f) => `notebooks/${f}`);
const pages = ["index.html", ...lessons, "search.html"];
const url = (path) => pathToFileURL(join(site, path)).href;
const failures = [];
const fail = (where, what) => failures.push(`${where}: ${what}`);
const minor = new Map(); // moderate and minor axe findings, reported but not failing

const browser = await puppeteer.launch({
  executablePath: chromium,
  args: ["--no-sandbox", "--allow-file-access-from-files"],
});

async function open(path, width, mode) {
  const page = await browser.newPage();
  const [w, h] = WIDTHS[width];
  await page.setViewport({ width: w, height: h });
  await page.evaluateOnNewDocument((m) => {
    localStorage.setItem("mode", m);
    localStorage.setItem("theme", m);
  }, mode);
  const foreign = [];
  page.on("request", (r) => {
    if (!/^(file|data|blob|about):/.test(r.url())) foreign.push(r.url());
  });
  await page.goto(url(path), { waitUntil: "load" });
  // Formulas are typeset after load; check the page as a reader sees it.
  await page.evaluate(() => window.MathJax?.startup?.promise);
  if (foreign.length) fail(path, `asks the network for ${foreign.join(", ")}`);
  return page;
}

async function axe(page, where) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    window.axe.run(document, {
      resultTypes: ["violations"],
      // experimental in axe 4.14, and what a speech-input user needs: a button's name
      // contains the words it shows
      rules: { "label-content-name-mismatch": { enabled: true } },
    }),
  );
  for (const v of result.violations) {
    if (v.impact === "serious" || v.impact === "critical") {
      const sample = v.nodes[0]?.target?.join(" ") ?? "";
      fail(where, `axe ${v.impact} ${v.id} on ${v.nodes.length} element(s), e.g. ${sample}`);
    } else {
      const key = `${v.impact} ${v.id}`;
      minor.set(key, (minor.get(key) ?? 0) + v.nodes.length);
    }
  }
}

async function layout(page, path, width) {
  const found = await page.evaluate((isPhone) => {
    const out = {};
    out.pageScrolls = document.documentElement.scrollWidth > window.innerWidth + 1;
    out.wideCode = [...document.querySelectorAll(".cell_input pre")]
      .filter((pre) => pre.scrollWidth > pre.clientWidth + 1)
      .map((pre) => pre.textContent.split("\n").find((l) => l.length > 88) ?? "?");
    out.captionsOutOfView = isPhone
      ? [...document.querySelectorAll(".cell_output table caption")].filter((c) => {
          const r = c.getBoundingClientRect();
          return r.width === 0 || r.left < 0 || r.right > window.innerWidth + 1;
        }).length
      : 0;
    return out;
  }, width === "phone");
  if (found.pageScrolls) fail(`${path} (${width})`, "the page scrolls sideways");
  if (width === "desktop" && found.wideCode.length)
    fail(path, `${found.wideCode.length} code cell(s) scroll sideways, e.g. ${found.wideCode[0]}`);
  if (found.captionsOutOfView)
    fail(`${path} (phone)`, `${found.captionsOutOfView} table caption(s) out of view`);
}

// The menus, as a reader uses them: click the visible button, see the menu.
async function menus(path) {
  const visibleToggle = (cls) =>
    [...document.querySelectorAll(cls)].find((b) => b.offsetParent !== null);
  let page = await open(path, "phone", "light");
  for (const [cls, modal] of [
    [".primary-toggle", "#pst-primary-sidebar-modal"],
    [".secondary-toggle", "#pst-secondary-sidebar-modal"],
  ]) {
    const button = await page.evaluateHandle(visibleToggle, cls);
    if (!(await button.asElement())) {
      fail(`${path} (phone)`, `no visible ${cls} button`);
      continue;
    }
    await button.asElement().click();
    const opened = await page.evaluate(
      (m) => document.querySelector(m)?.open && document.querySelector(m).querySelector("a") !== null,
      modal,
    );
    if (!opened) fail(`${path} (phone)`, `clicking ${cls} does not open ${modal} with its links`);
    await page.keyboard.press("Escape");
    if (await page.evaluate((m) => document.querySelector(m)?.open, modal))
      fail(`${path} (phone)`, `Escape does not close ${modal}`);
  }
  await page.close();

  page = await open(path, "desktop", "light");
  const hidden = () => document.querySelector("#pst-primary-sidebar").classList.contains("pst-sidebar-hidden");
  const button = (await page.evaluateHandle(visibleToggle, ".primary-toggle")).asElement();
  if (!button) fail(`${path} (desktop)`, "no visible .primary-toggle button");
  else {
    const before = await page.evaluate(hidden);
    await button.click();
    const after = await page.evaluate(hidden);
    if (before === after) fail(`${path} (desktop)`, "clicking the lessons button does not fold the sidebar");
  }
  await page.close();
}

let runs = 0;
async function view(path, width, mode) {
  const page = await open(path, width, mode);
  await axe(page, `${path} (${width}, ${mode})`);
  if (mode === "light") await layout(page, path, width);
  if (shots && mode === "light" && (path === "index.html" || lessons.slice(1, 3).includes(path))) {
    mkdirSync(shots, { recursive: true });
    const name = `${path.replace(/\W+/g, "_")}_${width}.png`;
    await page.screenshot({ path: join(shots, name), fullPage: false });
  }
  await page.close();
  runs += 1;
}
const views = pages.flatMap((p) => Object.keys(WIDTHS).flatMap((w) => MODES.map((m) => [p, w, m])));
for (let i = 0; i < views.length; i += 4) {
  await Promise.all(views.slice(i, i + 4).map((v) => view(...v)));
}
await menus(lessons[1] ?? "index.html");
await menus("index.html");
await browser.close();

console.log(`site_check: ${pages.length} pages, ${runs} page views (desktop and phone, light and dark)`);
for (const [key, n] of [...minor].sort()) console.log(`  (not failing) axe ${key}: ${n} element(s)`);
if (failures.length) {
  for (const f of failures) console.log(`  FAIL ${f}`);
  console.log(`site_check: ${failures.length} problem(s)`);
  process.exit(1);
}
console.log("site_check: no serious or critical axe violation; menus open; nothing scrolls sideways");
