import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, queryClient, seg } from '../api';
import { Query } from '../shell/Query';
import { DiagnosticsError, readDefinition, saveDefinition } from './esc-api';
import { diagnosticText, flattenValues, formatApiTime, type Diagnostic, type EscValue, type OpenedValue } from './format';

interface Revision {
  number: number;
  created: string;
  creatorLogin?: string;
  tags: string[];
  retracted?: { reason: string };
}

interface RevisionTag {
  name: string;
  revision: number;
  modified: string;
}

interface EnvironmentTag {
  name: string;
  value: string;
}

/** `/{org}/esc/{project}/{env}`: the definition (read, edit, save), opening it, its revisions and tags. */
export function EnvironmentPage() {
  const { org = '', project = '', env = '' } = useParams();
  const path = `/api/esc/environments/${seg(org)}/${seg(project)}/${seg(env)}`;
  return (
    <section>
      <p className="muted breadcrumbs">
        <Link to={`/${seg(org)}/esc`}>Environments</Link> / {project} /
      </p>
      <h1>{env}</h1>
      <DefinitionEditor path={path} />
      <OpenedValues path={path} />
      <Revisions path={path} />
      <Tags path={path} />
    </section>
  );
}

/** The YAML definition; saving sends it as a new revision, and a refusal lists ESC's diagnostics. */
function DefinitionEditor({ path }: { path: string }) {
  const definition = useQuery({ queryKey: [path, 'yaml'], queryFn: () => readDefinition(path) });
  const [draft, setDraft] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ error: string; diagnostics: Diagnostic[]; done: string }>({ error: '', diagnostics: [], done: '' });

  async function save(event: FormEvent) {
    event.preventDefault();
    if (draft === null || !definition.data) return;
    setBusy(true);
    try {
      const revision = await saveDefinition(path, draft, definition.data.etag);
      await queryClient.invalidateQueries({ queryKey: [path] });
      await queryClient.invalidateQueries({ queryKey: [`${path}/versions`] });
      setDraft(null);
      setOutcome({ error: '', diagnostics: [], done: `Saved revision ${revision}.` });
    } catch (e) {
      setOutcome({ error: e instanceof Error ? e.message : String(e), diagnostics: e instanceof DiagnosticsError ? e.diagnostics : [], done: '' });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="definition-title">
      <h2 id="definition-title">Definition</h2>
      <Query query={definition}>
        {({ text, revision }) => (
          <form onSubmit={save}>
            <p className="muted">Revision {revision}</p>
            <label className="block">
              YAML definition
              <textarea className="yaml-editor mono" rows={Math.min(30, Math.max(8, (draft ?? text).split('\n').length + 2))} value={draft ?? text} spellCheck={false} onChange={(e) => setDraft(e.target.value)} />
            </label>
            <p className="actions">
              <button type="submit" disabled={busy || draft === null}>
                Save
              </button>
              <button type="button" className="secondary" disabled={busy || draft === null} onClick={() => setDraft(null)}>
                Discard changes
              </button>
            </p>
          </form>
        )}
      </Query>
      {outcome.error && (
        <div role="alert" className="error">
          <p>{outcome.error}</p>
          {outcome.diagnostics.length > 0 && (
            <ul aria-label="Diagnostics">
              {outcome.diagnostics.map((d, i) => (
                <li key={i}>{diagnosticText(d)}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {outcome.done && (
        <p role="status" className="ok">
          {outcome.done}
        </p>
      )}
    </section>
  );
}

/** "Open" evaluates the environment (an open session of the API); secrets stay hidden until revealed. */
function OpenedValues({ path }: { path: string }) {
  const [values, setValues] = useState<OpenedValue[] | null>(null);
  const [reveal, setReveal] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function open() {
    setBusy(true);
    setError('');
    try {
      const { id } = await api.post<{ id: string }>(`${path}/open`);
      const opened = await api.get<{ properties?: Record<string, EscValue> }>(`${path}/open/${seg(id)}`);
      setValues(flattenValues(opened.properties));
      setReveal(false);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="open-title">
      <h2 id="open-title">Values</h2>
      <p className="actions">
        <button type="button" onClick={open} disabled={busy}>
          Open
        </button>
        {values && values.some((v) => v.secret) && (
          <button type="button" className="secondary" aria-pressed={reveal} onClick={() => setReveal(!reveal)}>
            {reveal ? 'Hide secrets' : 'Reveal secrets'}
          </button>
        )}
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {values &&
        (values.length === 0 ? (
          <p className="muted">The environment has no values.</p>
        ) : (
          <div className="table-wrap">
            <table aria-label="Opened values">
              <thead>
                <tr>
                  <th scope="col">Path</th>
                  <th scope="col">Value</th>
                </tr>
              </thead>
              <tbody>
                {values.map((v) => (
                  <tr key={v.path}>
                    <td>
                      <code>{v.path}</code>
                    </td>
                    <td>
                      {v.secret && !reveal ? (
                        <span className="muted">[secret]</span>
                      ) : (
                        <code className="value">{v.text}</code>
                      )}{' '}
                      {v.secret && <span className="badge">secret</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}

function Revisions({ path }: { path: string }) {
  const revisions = useQuery<Revision[]>({ queryKey: [`${path}/versions`] });
  return (
    <section className="card" aria-labelledby="revisions-title">
      <h2 id="revisions-title">Revisions</h2>
      <Query query={revisions}>
        {(list) => (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Revision</th>
                  <th scope="col">Tags</th>
                  <th scope="col">By</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {list.map((r) => (
                  <tr key={r.number}>
                    <td>
                      {r.number} {r.retracted && <span className="badge failed">retracted</span>}
                    </td>
                    <td>
                      {r.tags.map((t) => (
                        <span key={t} className="badge">
                          {t}
                        </span>
                      ))}
                    </td>
                    <td>{r.creatorLogin ?? ''}</td>
                    <td className="nowrap">{formatApiTime(r.created)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Query>
    </section>
  );
}

/** Revision tags (names for revisions, `latest` among them) and the environment's own tags (key/value). */
function Tags({ path }: { path: string }) {
  const revisionTags = useQuery<{ tags: RevisionTag[] }>({ queryKey: [`${path}/versions/tags`] });
  const tags = useQuery<{ tags: Record<string, EnvironmentTag> }>({ queryKey: [`${path}/tags`] });
  return (
    <section className="card" aria-labelledby="tags-title">
      <h2 id="tags-title">Tags</h2>
      <h3>Revision tags</h3>
      <Query query={revisionTags}>
        {({ tags: list }) => (
          <ul>
            {list.map((t) => (
              <li key={t.name}>
                <strong>{t.name}</strong> → revision {t.revision} <span className="muted">({formatApiTime(t.modified)})</span>
              </li>
            ))}
          </ul>
        )}
      </Query>
      <h3>Environment tags</h3>
      <Query query={tags}>
        {({ tags: map }) =>
          Object.keys(map).length === 0 ? (
            <p className="muted">No tags.</p>
          ) : (
            <ul>
              {Object.values(map).map((t) => (
                <li key={t.name}>
                  <strong>{t.name}</strong>: {t.value}
                </li>
              ))}
            </ul>
          )
        }
      </Query>
    </section>
  );
}
