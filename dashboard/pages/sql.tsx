import { useEffect, useState } from 'preact/hooks';
import { call, errorsOf, storedToken } from '../api.ts';
import { useTexts } from '../i18n.ts';

const EXPLAIN_DELAY_MS = 400;

/** `NAME=VALUE` lines as the variables of a submission (as `rivulet sql -D NAME=VALUE`). */
function variablesOf(text: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (line.trim() === '' || at <= 0) continue;
    variables[line.slice(0, at).trim()] = line.slice(at + 1);
  }
  return variables;
}

/** Keeps what the user typed across visits of the page in this tab. */
function useKept(key: string, initial: string): [string, (value: string) => void] {
  const [value, setValue] = useState(() => sessionStorage.getItem(key) ?? initial);
  return [
    value,
    (next: string) => {
      sessionStorage.setItem(key, next);
      setValue(next);
    },
  ];
}

export function SqlPage() {
  const { t } = useTexts();
  const [script, setScript] = useKept('rivulet-sql-script', '');
  const [variables, setVariables] = useKept('rivulet-sql-variables', '');
  const [name, setName] = useKept('rivulet-sql-name', 'dashboard.sql');
  const [fromScratch, setFromScratch] = useState(false);
  const [explain, setExplain] = useState<{ readonly ok: boolean; readonly text: string } | undefined>(undefined);
  const [result, setResult] = useState<{ readonly ok: boolean; readonly text: string; readonly jobs?: string[] }>();
  useEffect(() => {
    if (script.trim() === '') {
      setExplain(undefined);
      return;
    }
    if (storedToken() === null) {
      setExplain({ ok: false, text: t('needsToken') });
      return;
    }
    let current = true;
    const timer = window.setTimeout(async () => {
      const answer = await call('POST', '/sql/explain', { name, script, variables: variablesOf(variables) });
      if (!current) return;
      const explained = (answer.body as { explain?: string }).explain;
      setExplain(explained === undefined ? { ok: false, text: errorsOf(answer) } : { ok: true, text: explained });
    }, EXPLAIN_DELAY_MS);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [script, variables, name]);
  const submit = async () => {
    const answer = await call('POST', '/sql', { name, script, variables: variablesOf(variables), fromScratch });
    if (answer.status === 200) {
      const jobs = (answer.body as { jobs: { jid: string; name: string }[] }).jobs;
      setResult({ ok: true, text: t('submitted'), jobs: jobs.map((job) => job.jid) });
    } else setResult({ ok: false, text: errorsOf(answer) });
  };
  return (
    <div class="sql-page" data-test="sql">
      <div class="editor">
        <label>
          {t('jobName')}
          <input value={name} onInput={(event) => setName((event.target as HTMLInputElement).value)} />
        </label>
        <label>
          {t('editor')}
          <textarea
            class="script"
            data-test="script"
            spellcheck={false}
            value={script}
            onInput={(event) => setScript((event.target as HTMLTextAreaElement).value)}
          />
        </label>
        <label>
          {t('variables')}
          <textarea
            class="variables"
            data-test="variables"
            spellcheck={false}
            value={variables}
            onInput={(event) => setVariables((event.target as HTMLTextAreaElement).value)}
          />
        </label>
        <div class="row">
          <label class="inline">
            <input
              type="checkbox"
              checked={fromScratch}
              onChange={(event) => setFromScratch((event.target as HTMLInputElement).checked)}
            />
            {t('fromScratch')}
          </label>
          <button type="button" class="primary" data-test="submit" onClick={submit}>
            {t('submit')}
          </button>
        </div>
        {result && (
          <div class={result.ok ? 'ok' : 'error'} data-test="submit-result">
            {result.text}{' '}
            {result.jobs?.map((jid) => (
              <a key={jid} href={`#/jobs/${jid}`} class="mono">
                {jid}{' '}
              </a>
            ))}
          </div>
        )}
      </div>
      <div class="explain">
        <h2>{t('explain')}</h2>
        <pre class={explain?.ok === false ? 'error' : ''} data-test="explain">
          {explain?.text ?? ''}
        </pre>
      </div>
    </div>
  );
}
