import { useState } from 'preact/hooks';
import { storedToken, storeToken } from './api.ts';
import { useTexts } from './i18n.ts';

/** Shows whether this tab has the token, and lets the user paste it once (kept in sessionStorage). */
export function TokenControl() {
  const { t } = useTexts();
  const [open, setOpen] = useState(false);
  // Read at each render: a #token= link may have set it since (the page renders every second).
  const has = storedToken() !== null;
  const [, rendered] = useState(0);
  const [value, setValue] = useState('');
  const save = (token: string) => {
    storeToken(token);
    rendered((n) => n + 1);
    setValue('');
    setOpen(false);
  };
  return (
    <span class="token">
      <button type="button" data-test="token-button" class={has ? 'ok' : 'missing'} onClick={() => setOpen(!open)}>
        {has ? t('tokenSet') : t('tokenMissing')}
      </button>
      {open && (
        <form
          class="token-form"
          onSubmit={(event) => {
            event.preventDefault();
            save(value);
          }}
        >
          <strong>{t('tokenTitle')}</strong>
          <p>{t('tokenHelp')}</p>
          <input
            type="password"
            autocomplete="off"
            data-test="token-input"
            value={value}
            onInput={(event) => setValue((event.target as HTMLInputElement).value)}
          />
          <button type="submit" data-test="token-save">
            {t('tokenSave')}
          </button>
          {has && (
            <button type="button" onClick={() => save('')}>
              {t('tokenForget')}
            </button>
          )}
        </form>
      )}
    </span>
  );
}
