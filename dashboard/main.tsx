import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { takeTokenFromFragment, useLive } from './api.ts';
import { initialLang, type Lang, rememberLang, TextsContext, texts } from './i18n.ts';
import { AlertsBanner, AlertsPage } from './pages/alerts.tsx';
import { CdcPage } from './pages/cdc.tsx';
import { JobPage } from './pages/job.tsx';
import { JobsPage } from './pages/jobs.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { SqlPage } from './pages/sql.tsx';
import { TopicsPage } from './pages/topics.tsx';
import { TokenControl } from './token.tsx';

/** The page an address names: `#/`, `#/jobs`, `#/jobs/<id>`, `#/sql`, `#/alerts`, …. */
type Route =
  | { readonly kind: 'overview' }
  | { readonly kind: 'jobs' }
  | { readonly kind: 'job'; readonly id: string }
  | { readonly kind: 'cdc' }
  | { readonly kind: 'alerts' }
  | { readonly kind: 'topics'; readonly topic: string | undefined }
  | { readonly kind: 'sql' };

function routeOf(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const job = /^\/jobs\/([^/]+)$/.exec(path);
  if (job) return { kind: 'job', id: decodeURIComponent(job[1] as string) };
  if (path === '/jobs') return { kind: 'jobs' };
  if (path === '/sql') return { kind: 'sql' };
  if (path === '/cdc') return { kind: 'cdc' };
  if (path === '/alerts') return { kind: 'alerts' };
  const topics = /^\/topics(?:\/([^/]+))?$/.exec(path);
  if (topics) return { kind: 'topics', topic: topics[1] === undefined ? undefined : decodeURIComponent(topics[1]) };
  return { kind: 'overview' };
}

function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(location.hash));
  useEffect(() => {
    const onChange = () => {
      takeTokenFromFragment();
      setRoute(routeOf(location.hash));
    };
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** What the page's event stream carries beside the overview and the jobs. */
function liveQuery(route: Route, keyFilter: string): string {
  switch (route.kind) {
    case 'job':
      return new URLSearchParams({ job: route.id }).toString();
    case 'cdc':
      return 'view=cdc';
    case 'topics': {
      const query = new URLSearchParams({ view: 'topics' });
      if (route.topic !== undefined) query.set('topic', route.topic);
      if (route.topic !== undefined && keyFilter !== '') query.set('key', keyFilter);
      return query.toString();
    }
    case 'overview':
    case 'jobs':
    case 'sql':
    case 'alerts':
      return '';
  }
}

function App() {
  const route = useRoute();
  const [lang, setLang] = useState<Lang>(initialLang);
  const text = useMemo(() => texts(lang), [lang]);
  const [keyFilter, setKeyFilter] = useState('');
  const live = useLive(liveQuery(route, keyFilter));
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);
  const switchLang = () => {
    const next = lang === 'zh' ? 'en' : 'zh';
    rememberLang(next);
    setLang(next);
  };
  const { t } = text;
  const tab = (kind: Route['kind'], href: string, label: string) => (
    <a href={href} class={route.kind === kind || (kind === 'jobs' && route.kind === 'job') ? 'active' : ''}>
      {label}
    </a>
  );
  return (
    <TextsContext.Provider value={text}>
      <header>
        <span class="brand">Rivulet</span>
        <nav>
          {tab('overview', '#/', t('overview'))}
          {tab('jobs', '#/jobs', t('jobs'))}
          {tab('topics', '#/topics', t('topics'))}
          {tab('cdc', '#/cdc', t('cdc'))}
          {tab('sql', '#/sql', t('sql'))}
          {tab('alerts', '#/alerts', t('alerts'))}
        </nav>
        <span class={`status ${live.connected ? 'up' : 'down'}`} data-test="connection">
          {live.connected ? t('live') : t('reconnecting')}
        </span>
        <TokenControl />
        <button type="button" class="lang" data-test="lang-switch" onClick={switchLang}>
          {lang === 'zh' ? 'English' : '中文'}
        </button>
      </header>
      <AlertsBanner snapshot={live.snapshot} />
      <main class={live.connected ? '' : 'stale'}>
        {route.kind === 'overview' && <OverviewPage snapshot={live.snapshot} />}
        {route.kind === 'jobs' && <JobsPage snapshot={live.snapshot} />}
        {route.kind === 'job' && <JobPage id={route.id} snapshot={live.snapshot} />}
        {route.kind === 'cdc' && <CdcPage snapshot={live.snapshot} />}
        {route.kind === 'topics' && (
          <TopicsPage snapshot={live.snapshot} topic={route.topic} onKeyFilter={setKeyFilter} />
        )}
        {route.kind === 'sql' && <SqlPage />}
        {route.kind === 'alerts' && <AlertsPage snapshot={live.snapshot} />}
      </main>
    </TextsContext.Provider>
  );
}

takeTokenFromFragment();
render(<App />, document.getElementById('app') as HTMLElement);
