import { chromium } from '@playwright/test';
import { build } from 'esbuild';
const N = Number(process.argv[2] ?? 1000);
const fake = (await build({ entryPoints: ['test/support/fake-ffmpeg.worker.ts'], bundle: true, format: 'esm', write: false })).outputFiles[0].text;
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu'] });
const ctx = await b.newContext({ serviceWorkers: 'block' });
const page = await ctx.newPage();
await page.route(/\/assets\/ffmpeg\.worker[^/]*\.js$/, (r) => r.fulfill({ status: 200, contentType: 'text/javascript', body: fake }));
await page.addInitScript(() => { const seen = []; window.lt = seen; new PerformanceObserver((l) => { for (const e of l.getEntries()) seen.push([Math.round(e.startTime), Math.round(e.duration)]); }).observe({ type: 'longtask', buffered: true }); const lf = []; window.lf = lf; new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.duration > 70) lf.push({ at: Math.round(e.startTime), d: Math.round(e.duration), block: Math.round(e.blockingDuration), render: Math.round(e.startTime + e.duration - e.renderStart), styleLayout: Math.round(e.startTime + e.duration - e.styleAndLayoutStart), scripts: e.scripts.map((s) => `${s.invoker}:${Math.round(s.duration)}`).join(' ') }); }).observe({ type: 'long-animation-frame', buffered: true }); });
await page.goto('http://127.0.0.1:4323/');
if (process.env.CSS) await page.addStyleTag({ content: process.env.CSS });
await page.getByLabel('Workers', { exact: true }).fill('2'); await page.getByLabel('Workers', { exact: true }).press('Enter');
const files = Array.from({ length: N }, (_, i) => ({ name: `clip-${i}.wav`, mimeType: 'audio/wav', buffer: Buffer.alloc(1000, i % 251) }));
let t = Date.now();
await page.getByLabel('Add files', { exact: true }).setInputFiles(files);
await page.locator('input[name=preset][value="mp3-audio"]').check();
await page.waitForTimeout(3000);
console.log('added', Date.now() - t);
const cdp = await ctx.newCDPSession(page);
await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
t = Date.now();
console.log('before encode at', await page.evaluate(() => Math.round(performance.now())), JSON.stringify(await page.evaluate(() => window.lt)));
await page.getByRole('button', { name: 'Encode', exact: true }).click();
await cdp.send('Profiler.start');
const startNow = await page.evaluate(() => performance.now());
await page.waitForTimeout(Number(process.argv[3] ?? 8000));
const { profile } = await cdp.send('Profiler.stop');
const done = await page.locator('[data-job-id][data-state=done]').count();
console.log('longtasks', JSON.stringify(await page.evaluate(() => window.lt.slice(-60))));
console.log(JSON.stringify(await page.evaluate(() => window.lf), null, 0).replace(/},/g, '},\n'));
console.log('done after', Date.now() - t, 'ms:', done);
const self = new Map(); const byId = new Map(profile.nodes.map(n => [n.id, n]));
const dt = profile.timeDeltas; const total = {};
profile.samples.forEach((id, i) => { const n = byId.get(id); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0)); });
console.log([...self.entries()].sort((a,b)=>b[1]-a[1]).slice(0,25).map(([k,v])=>`${(v/1000).toFixed(0)}ms ${k}`).join('\n'));
await b.close();
// runs of busy samples longer than 50 ms
{
  const parent = new Map(); for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (n) => `${n.callFrame.functionName || '(anon)'}:${n.callFrame.lineNumber}:${n.callFrame.columnNumber}`;
  let run = []; let runT = 0; const runs = [];
  profile.samples.forEach((id, i) => { const n = byId.get(id); const d = profile.timeDeltas[i+1] ?? 0; if (n.callFrame.functionName === '(idle)') { if (runT > 50000) runs.push(run); run = []; runT = 0; } else { run.push([id, d]); runT += d; } });
  for (const r of runs) {
    const agg = new Map(); let tot = 0;
    for (const [id, d] of r) { tot += d; let n = byId.get(id); const chain = []; while (n && chain.length < 6) { chain.push(name(n)); n = byId.get(parent.get(n.id)); } const k = chain.join(' < '); agg.set(k, (agg.get(k) ?? 0) + d); }
    console.log('RUN', (tot/1000).toFixed(0), 'ms');
    console.log([...agg.entries()].sort((a,b)=>b[1]-a[1]).slice(0,8).map(([k,v])=>`  ${(v/1000).toFixed(1)} ${k}`).join('\n'));
  }
}

{
  const parent = new Map(); for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (n) => `${n.callFrame.functionName || '(anon)'}:${n.callFrame.lineNumber}:${n.callFrame.columnNumber}`;
  const frames = await page.evaluate(() => window.lf);
  let t = profile.startTime; const times = profile.samples.map((_, i) => (t += profile.timeDeltas[i]) );
  for (const f of frames.filter((f) => f.block > 40)) {
    const agg = new Map();
    profile.samples.forEach((id, i) => { const at = startNow + (times[i] - profile.startTime) / 1000; if (at < f.at || at > f.at + f.d) return; let n = byId.get(id); const chain = []; while (n && chain.length < 9) { chain.push(name(n)); n = byId.get(parent.get(n.id)); } const k = chain.join(' < '); agg.set(k, (agg.get(k) ?? 0) + (profile.timeDeltas[i+1] ?? 0)); });
    console.log('FRAME', JSON.stringify(f));
    console.log([...agg.entries()].sort((a,b)=>b[1]-a[1]).slice(0,10).map(([k,v])=>`  ${(v/1000).toFixed(1)} ${k}`).join('\n'));
  }
}
{
  const parent = new Map(); for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map();
  profile.samples.forEach((id, i) => { const d = profile.timeDeltas[i+1] ?? 0; const seen = new Set(); let n = byId.get(id); while (n) { const k = `${n.callFrame.functionName || '(anon)'}:${n.callFrame.lineNumber}`; if (!seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) ?? 0) + d); } n = byId.get(parent.get(n.id)); } });
  console.log('INCLUSIVE\n' + [...incl.entries()].sort((a,b)=>b[1]-a[1]).slice(0,45).map(([k,v])=>`  ${(v/1000).toFixed(0)} ${k}`).join('\n'));
}
