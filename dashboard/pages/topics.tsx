import { useEffect, useState } from 'preact/hooks';
import { useTexts } from '../i18n.ts';
import type { Bytes, Snapshot } from '../types.ts';

const FILTER_DELAY_MS = 400;

function BytesCell({ bytes }: { readonly bytes: Bytes }) {
  if (bytes.text === null) return <span class="muted">null</span>;
  return <code class={bytes.encoding === 'hex' ? 'hex' : ''}>{bytes.text}</code>;
}

/** The log's topics, and the latest records of the one chosen, filtered by key. */
export function TopicsPage(props: {
  readonly snapshot: Snapshot | undefined;
  readonly topic: string | undefined;
  readonly onKeyFilter: (filter: string) => void;
}) {
  const { t, number, bytes, time } = useTexts();
  const [filter, setFilter] = useState('');
  useEffect(() => {
    const timer = window.setTimeout(() => props.onKeyFilter(filter), FILTER_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [filter]);
  const topics = props.snapshot?.topics;
  const tail = props.snapshot?.tail;
  if (!topics) return <p class="muted">…</p>;
  return (
    <div class="topics">
      {topics.length === 0 ? (
        <p class="muted">{t('noTopics')}</p>
      ) : (
        <table data-test="topics">
          <thead>
            <tr>
              <th>{t('name')}</th>
              <th class="num">{t('partitions')}</th>
              <th class="num">{t('messages')}</th>
              <th class="num">{t('size')}</th>
            </tr>
          </thead>
          <tbody>
            {topics.map((topic) => (
              <tr key={topic.name} class={topic.name === props.topic ? 'selected' : ''} data-topic={topic.name}>
                <td>
                  <a href={`#/topics/${encodeURIComponent(topic.name)}`}>{topic.name}</a>
                  {topic.compacted && <span class="tag">{t('compacted')}</span>}
                </td>
                <td class="num">{number(topic.partitions)}</td>
                <td class="num">{number(topic.messages)}</td>
                <td class="num">{bytes(topic.bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.topic !== undefined && (
        <section data-test="tail">
          <h2>{props.topic}</h2>
          <div class="row">
            <label class="inline">
              {t('keyFilter')}{' '}
              <input
                data-test="key-filter"
                value={filter}
                onInput={(event) => setFilter((event.target as HTMLInputElement).value)}
              />
            </label>
            <span class="muted small">{t('tailHelp')}</span>
          </div>
          {tail === undefined || tail.topic !== props.topic ? (
            <p class="muted">…</p>
          ) : 'error' in tail ? (
            <pre class="error">{tail.error}</pre>
          ) : tail.records.length === 0 ? (
            <p class="muted">{t('noRecords')}</p>
          ) : (
            <>
              {!tail['log-headers'] && (
                <p class="muted small" data-test="no-headers">
                  {t('noHeadersKept')}
                </p>
              )}
              <table data-test="records">
                <thead>
                  <tr>
                    <th class="num">{t('partition')}</th>
                    <th class="num">{t('offset')}</th>
                    <th>{t('timestamp')}</th>
                    <th>{t('key')}</th>
                    <th>{t('value')}</th>
                    {tail['log-headers'] && <th>{t('headers')}</th>}
                  </tr>
                </thead>
                <tbody>
                  {tail.records.map((record) => (
                    <tr key={`${record.partition}/${record.offset}`}>
                      <td class="num">{number(record.partition)}</td>
                      <td class="num">{record.offset}</td>
                      <td>{time(record.timestamp)}</td>
                      <td>
                        <BytesCell bytes={record.key} />
                      </td>
                      <td class="record-value">
                        <BytesCell bytes={record.value} />
                      </td>
                      {tail['log-headers'] && (
                        <td data-test="record-headers">
                          {record.headers.map((header, i) => (
                            <div key={i}>
                              <BytesCell bytes={header.key} />: <BytesCell bytes={header.value} />
                            </div>
                          ))}
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </section>
      )}
    </div>
  );
}
