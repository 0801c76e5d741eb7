import puppeteer from 'puppeteer-core';
import { findInstance } from '../src/embedded/instance.ts';
import { commandPath } from '../test/helpers/command-path.ts';
import { startExampleInstance } from '../test/helpers/example-instance.ts';
import type { Measurement } from './harness.ts';
import { cpuSeconds } from './process-tree.ts';

const WINDOW_SECONDS = 30;
/** Percent of one core the process spent over the next window. */
async function cpuPercent(pid: number): Promise<number> {
  const before = cpuSeconds(pid);
  const start = performance.now();
  await new Promise((resolve) => setTimeout(resolve, WINDOW_SECONDS * 1000));
  return ((cpuSeconds(pid) - before) / ((performance.now() - start) / 1000)) * 100;
}

/** Median over 5 loads of the time from navigation to the overview showing the jobs, in ms. */
async function firstRenderMillis(base: string): Promise<Measurement[]> {
  const executablePath = commandPath('chromium');
  if (!executablePath) return [];
  const browser = await puppeteer.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      const start = performance.now();
      await page.goto(`${base}/?load=${i}#/`);
      await page.waitForSelector('[data-test=jobs-running] b');
      if (i > 0) times.push(performance.now() - start); // the first load also bundles the page
    }
    times.sort((a, b) => a - b);
    return [{ name: 'dashboard: first render', value: times[2] ?? Number.NaN, unit: 'ms', target: '< 1000 ms' }];
  } finally {
    await browser.close();
  }
}

/**
 * What an open dashboard costs the engine: the CPU of `rivulet up --example examples/ecommerce`
 * (its six jobs running, idle) over 30 s without a page open, then over 30 s with a job's page
 * open, that is its one /events?job=<id> stream, read as a browser reads it.
 */
export async function dashboardBenchmarks(): Promise<Measurement[]> {
  const instance = await startExampleInstance();
  try {
    const pid = instance.up.child.pid as number;
    const base = findInstance(instance.dataDir).restUrl;
    for (const asset of ['/', '/assets/dashboard.js', '/assets/dashboard.css'])
      await (await fetch(`${base}${asset}`)).text();
    const { jobs } = (await (await fetch(`${base}/jobs/overview`)).json()) as { jobs: { jid: string; name: string }[] };
    const job = jobs.find((each) => each.name.endsWith('result_orders_with_user_info')) ?? jobs[0];
    const without = await cpuPercent(pid);
    const abort = new AbortController();
    const stream = await fetch(`${base}/events?job=${job?.jid}`, { signal: abort.signal });
    let bytes = 0;
    const reading = (async () => {
      const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        bytes += value.length;
      }
    })().catch(() => undefined);
    const withPage = await cpuPercent(pid);
    abort.abort();
    await reading;
    return [
      ...(await firstRenderMillis(base)),
      { name: 'dashboard: engine CPU, no page open', value: without, unit: '% of a core' },
      { name: 'dashboard: engine CPU, a job page open', value: withPage, unit: '% of a core' },
      {
        name: 'dashboard: cost of the open page',
        value: withPage - without,
        unit: '% of a core',
        target: '< 2 %',
      },
      { name: 'dashboard: /events data sent', value: bytes / 1024 / WINDOW_SECONDS, unit: 'KiB/s' },
    ];
  } finally {
    await instance.stop();
  }
}
