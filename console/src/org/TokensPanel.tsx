import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, seg } from '../api';
import { Query } from '../shell/Query';
import { ConfirmButton } from './ConfirmButton';
import { expiresAt, formatTime, formatUnixSeconds, tokenLifetimes } from './format';
import { ActionOutcome, useAction } from './useAction';

/** `AccessToken` as the tokens APIs list it. */
interface AccessToken {
  id: string;
  name: string;
  description: string;
  created: string;
  lastUsed: number;
  expires: number;
  admin: boolean;
  createdBy: string;
}

/**
 * One kind of access token: personal (`/api/user/tokens`), an organization's or a team's
 * (`…/tokens`). Organization and team tokens have a name, unique in the organization for good;
 * organization tokens may be admin tokens. A new token's value is shown once, right after creation.
 */
export function TokensPanel({ path, named, adminOption, title }: { path: string; named: boolean; adminOption?: boolean; title: string }) {
  const tokens = useQuery<{ tokens: AccessToken[] }>({ queryKey: [path] });
  const action = useAction();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [days, setDays] = useState(0);
  const [admin, setAdmin] = useState(false);
  const [created, setCreated] = useState<{ description: string; value: string } | null>(null);
  const [copied, setCopied] = useState('');

  async function create(event: FormEvent) {
    event.preventDefault();
    setCreated(null);
    setCopied('');
    const body = { description: description.trim(), expires: expiresAt(days, Date.now()), ...(named && { name: name.trim() }), ...(adminOption && { admin }) };
    let value = '';
    const ok = await action.run(
      async () => (value = (await api.post<{ tokenValue: string }>(path, body)).tokenValue),
      'Token created.',
      [path],
    );
    if (ok) {
      setCreated({ description: named ? name.trim() : description.trim(), value });
      setName('');
      setDescription('');
      setAdmin(false);
    }
  }

  async function copy(value: string) {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied('The browser refused the clipboard: select the token and copy it by hand.');
    }
  }

  const idPrefix = path.replace(/[^a-z0-9]+/gi, '-');
  return (
    <section className="card" aria-labelledby={`${idPrefix}-title`}>
      <h2 id={`${idPrefix}-title`}>{title}</h2>
      <form className="toolbar" onSubmit={create}>
        {named && (
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={40} />
          </label>
        )}
        <label>
          Description
          <input value={description} onChange={(e) => setDescription(e.target.value)} required={!named} maxLength={1024} />
        </label>
        <label>
          Expires
          <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {tokenLifetimes.map((l) => (
              <option key={l.days} value={l.days}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
        {adminOption && (
          <label className="check">
            <input type="checkbox" checked={admin} onChange={(e) => setAdmin(e.target.checked)} />
            Admin token
          </label>
        )}
        <button type="submit" disabled={action.busy}>
          Create token
        </button>
      </form>
      {created ? (
        <div className="new-token" role="status" aria-label="New token">
          <p>
            <strong>Copy the new token {created.description ? `“${created.description}” ` : ''}now: it is not shown again.</strong>
          </p>
          <p className="new-token-value">
            <code aria-label="Token value">{created.value}</code>{' '}
            <button type="button" className="secondary" onClick={() => copy(created.value)}>
              Copy
            </button>
          </p>
          {copied && <p className="muted">{copied}</p>}
        </div>
      ) : (
        <ActionOutcome {...action} />
      )}
      <Query query={tokens}>
        {({ tokens: list }) =>
          list.length === 0 ? (
            <p className="muted">No tokens.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    {named && <th scope="col">Name</th>}
                    <th scope="col">Description</th>
                    <th scope="col">Created</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Expires</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((token) => {
                    const label = token.name || token.description || token.id;
                    return (
                      <tr key={token.id}>
                        {named && (
                          <td>
                            {token.name} {token.admin && <span className="badge">admin</span>}
                          </td>
                        )}
                        <td>{token.description}</td>
                        <td>{formatTime(Date.parse(token.created))}</td>
                        <td>{formatUnixSeconds(token.lastUsed)}</td>
                        <td>{formatUnixSeconds(token.expires)}</td>
                        <td>
                          <ConfirmButton
                            label="Revoke"
                            question={`Revoke “${label}”? Whatever uses it stops working.`}
                            confirmLabel="Revoke token"
                            onConfirm={() =>
                              action.run(() => api.delete(`${path}/${seg(token.id)}`), `Revoked “${label}”.`, [path]).then(() => setCreated(null))
                            }
                          />
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )
        }
      </Query>
    </section>
  );
}
