// Lighthouse scores (performance, accessibility, best practices, SEO) of the release build,
// served under /mnist/ gzipped as GitHub Pages serves it, in the system Chromium, headless. One
// difference: a deep link gets the app with status 200 (a host with an SPA rewrite, or
// `trunk serve`), not GitHub Pages' 404.html with status 404, which Lighthouse refuses to score.
//
//   node e2e/lighthouse.mjs                 (after `trunk build --release --public-url /mnist/`)
//   LH_RUNS=3 LH_PRESET=desktop node e2e/lighthouse.mjs
//
// Every route is measured LH_RUNS times (default 1) with Lighthouse's default (mobile, simulated
// slow 4G and a 4× slower CPU) or LH_PRESET=desktop; each score is the median, with the runs
// listed, and the audits that cost points are named. A figure, not a test: nothing fails on a score.
import { launch } from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { startServer } from './server.mjs';
import { BASE, CHROMIUM, DIST } from './lib.mjs';

const RUNS = Math.max(1, Number(process.env.LH_RUNS ?? 1));
const PRESET = process.env.LH_PRESET ?? 'mobile';
const ROUTES = ['', 'data/mnist/test', 'network', 'train'];
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const site = await startServer({ dir: DIST, base: BASE, compress: true, fallbackStatus: 200 });
const chrome = await launch({ chromePath: CHROMIUM, chromeFlags: ['--headless=new', '--no-sandbox', '--disable-dev-shm-usage'] });
const flags = { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: CATEGORIES };
const config = PRESET === 'desktop'
  ? (await import('lighthouse/core/config/desktop-config.js')).default
  : undefined;
console.log(`Lighthouse ${PRESET}, ${RUNS} run(s) per route, ${site.url} (gzip like GitHub Pages)`);
try {
  for (const route of ROUTES) {
    const scores = Object.fromEntries(CATEGORIES.map((c) => [c, []]));
    const losing = new Map();
    for (let r = 0; r < RUNS; r++) {
      const { lhr } = await lighthouse(`${site.url}${route}`, flags, config);
      if (lhr.runtimeError) console.log(`  /${route}: ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
      for (const c of CATEGORIES) scores[c].push(Math.round((lhr.categories[c]?.score ?? 0) * 100));
      for (const c of CATEGORIES) {
        for (const ref of lhr.categories[c]?.auditRefs ?? []) {
          const audit = lhr.audits[ref.id];
          if (ref.weight > 0 && audit.score !== null && audit.score < 0.9) {
            losing.set(ref.id, `${ref.id}${audit.displayValue ? ` (${audit.displayValue})` : ''}`);
          }
        }
      }
    }
    const line = CATEGORIES.map((c) => `${c} ${median(scores[c])}${RUNS > 1 ? ` [${scores[c].join(', ')}]` : ''}`).join(' · ');
    console.log(`/${route.padEnd(16)} ${line}`);
    if (losing.size) console.log(`  below 90: ${[...losing.values()].join('; ')}`);
  }
} finally {
  await chrome.kill();
  await site.close();
}
