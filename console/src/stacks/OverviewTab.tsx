import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ApiError, api, queryClient, seg } from '../api';
import { Query } from '../shell/Query';
import { formatAgo, formatChanges, formatDuration, formatValue, isoOf } from './format';
import { ResultBadge } from './ResultBadge';
import { ciphertextOf, decodePlaintext, isSecret } from './secrets';
import { useStack } from './stack-context';
import type { StackResources, UpdateEntry } from './types';

/** The stack's last update, the outputs of its newest state and its tags. */
export function OverviewTab() {
  return (
    <>
      <LastUpdateCard />
      <OutputsCard />
      <TagsCard />
    </>
  );
}

function LastUpdateCard() {
  const { apiPath, pagePath } = useStack();
  const latest = useQuery<UpdateEntry>({ queryKey: [`${apiPath}/updates/latest`] });
  return (
    <section className="card" aria-labelledby="last-update-heading">
      <h2 id="last-update-heading">Last update</h2>
      {latest.isError && latest.error instanceof ApiError && latest.error.status === 404 ? (
        <p className="muted">No updates yet.</p>
      ) : (
        <Query query={latest}>
          {({ version, info, requestedBy }) => (
            <p>
              <Link to={`${pagePath}/updates/${version}`}>
                {info.kind} #{version}
              </Link>{' '}
              <ResultBadge result={info.result} /> by {requestedBy.name || requestedBy.githubLogin},{' '}
              <time dateTime={isoOf(info.startTime)} title={isoOf(info.startTime)}>
                {formatAgo(info.startTime)}
              </time>
              {info.endTime > 0 && <>, took {formatDuration(info.endTime - info.startTime)}</>}
              {formatChanges(info.resourceChanges) && <> — {formatChanges(info.resourceChanges)}</>}
              {info.message && <span className="muted"> — “{info.message}”</span>}
            </p>
          )}
        </Query>
      )}
    </section>
  );
}

function OutputsCard() {
  const { apiPath } = useStack();
  const resources = useQuery<StackResources>({ queryKey: [`${apiPath}/resources/latest`] });
  return (
    <section className="card" aria-labelledby="outputs-heading">
      <h2 id="outputs-heading">Outputs</h2>
      <Query query={resources}>
        {(data) => {
          const root = data.resources.find(({ resource }) => resource.type === 'pulumi:pulumi:Stack' && !resource.parent)?.resource;
          const outputs = Object.entries(root?.outputs ?? {});
          if (outputs.length === 0) return <p className="muted">This stack has no outputs.</p>;
          return (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Value</th>
                  </tr>
                </thead>
                <tbody>
                  {outputs.map(([name, value]) => (
                    <tr key={name}>
                      <th scope="row" className="mono">
                        {name}
                      </th>
                      <td>{isSecret(value) ? <SecretValue name={name} value={value} /> : <code className="value">{formatValue(value, 2000)}</code>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        }}
      </Query>
    </section>
  );
}

/** `[secret]` until revealed: the server decrypts it and records the reveal in the audit log. */
function SecretValue({ name, value }: { name: string; value: unknown }) {
  const { apiPath } = useStack();
  const [revealed, setRevealed] = useState<{ value: unknown } | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const ciphertext = ciphertextOf(value);
  const reveal = async () => {
    if (!ciphertext) return;
    setBusy(true);
    setError('');
    try {
      const { plaintext } = await api.post<{ plaintext: string }>(`${apiPath}/decrypt`, { ciphertext });
      setRevealed({ value: decodePlaintext(plaintext) });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  if (revealed) {
    return (
      <span className="secret">
        <code className="value">{formatValue(revealed.value, 2000)}</code>{' '}
        <button type="button" className="secondary" onClick={() => setRevealed(null)} aria-label={`Hide ${name}`}>
          Hide
        </button>
      </span>
    );
  }
  return (
    <span className="secret">
      <code>[secret]</code>{' '}
      {ciphertext && (
        <button type="button" className="secondary" onClick={() => void reveal()} disabled={busy} aria-label={`Reveal ${name}`}>
          Reveal
        </button>
      )}
      {error && (
        <span role="alert" className="error">
          {' '}
          {error}
        </span>
      )}
    </span>
  );
}

function TagsCard() {
  const { stack, apiPath } = useStack();
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: [apiPath] });
  const run = async (action: () => Promise<unknown>, done: string) => {
    setError('');
    setStatus('');
    try {
      await action();
      await refresh();
      setStatus(done);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const add = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await api.post(`${apiPath}/tags`, { name: name.trim(), value });
      setName('');
      setValue('');
    }, `Tag ${name.trim()} added.`);
  };
  const tags = Object.entries(stack.tags);
  return (
    <section className="card" aria-labelledby="tags-heading">
      <h2 id="tags-heading">Tags</h2>
      {tags.length === 0 ? (
        <p className="muted">No tags.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Value</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tags.map(([tag, tagValue]) => (
                <tr key={tag}>
                  <td className="mono">{tag}</td>
                  <td>{tagValue}</td>
                  <td>
                    <button type="button" className="secondary" aria-label={`Remove tag ${tag}`} onClick={() => void run(() => api.delete(`${apiPath}/tags/${seg(tag)}`), `Tag ${tag} removed.`)}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="toolbar tag-form" onSubmit={add}>
        <label>
          Tag name
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label>
          Tag value
          <input value={value} onChange={(e) => setValue(e.target.value)} />
        </label>
        <button type="submit">Add tag</button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {status && (
        <p role="status" className="ok">
          {status}
        </p>
      )}
    </section>
  );
}
