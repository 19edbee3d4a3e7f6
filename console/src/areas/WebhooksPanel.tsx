import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, seg } from '../api';
import { ConfirmButton } from '../org/ConfirmButton';
import { ActionOutcome, useAction } from '../org/useAction';
import { Query } from '../shell/Query';
import { formatApiTime, splitNames, webhookFormats, webhookGroups } from './format';

interface Webhook {
  name: string;
  displayName: string;
  payloadUrl: string;
  active: boolean;
  format: string;
  filters?: string[];
  groups?: string[];
}

interface Delivery {
  id: string;
  kind: string;
  timestamp: number;
  duration: number;
  responseCode: number;
  responseBody: string;
}

/**
 * The webhooks of one scope (`…/hooks` of an organization or a stack): list, create, delete, ping,
 * and the deliveries of the one chosen. `body` is what every write carries to name the scope.
 */
export function WebhooksPanel({ path, scope, body }: { path: string; scope: keyof typeof webhookGroups; body: Record<string, string> }) {
  const hooks = useQuery<Webhook[]>({ queryKey: [path] });
  const action = useAction();
  const [shown, setShown] = useState<string | null>(null);
  const [displayName, setDisplayName] = useState('');
  const [payloadUrl, setPayloadUrl] = useState('');
  const [format, setFormat] = useState('raw');
  const [groups, setGroups] = useState<string[]>([]);
  const [filters, setFilters] = useState('');

  async function create(event: FormEvent) {
    event.preventDefault();
    const hook = { ...body, displayName: displayName.trim(), payloadUrl: payloadUrl.trim(), format, active: true, groups, filters: splitNames(filters) };
    if (await action.run(() => api.post(path, hook), `Created webhook “${hook.displayName}”.`, [path])) {
      setDisplayName('');
      setPayloadUrl('');
      setGroups([]);
      setFilters('');
    }
  }

  const hookPath = (name: string) => `${path}/${seg(name)}`;
  return (
    <>
      <form className="card" onSubmit={create} aria-labelledby="new-hook-title">
        <h2 id="new-hook-title">New webhook</h2>
        <div className="toolbar">
          <label>
            Display name
            <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} required maxLength={200} />
          </label>
          <label>
            Payload URL
            <input type="url" value={payloadUrl} onChange={(e) => setPayloadUrl(e.target.value)} required placeholder="https://" />
          </label>
          <label>
            Format
            <select value={format} onChange={(e) => setFormat(e.target.value)}>
              {webhookFormats.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </select>
          </label>
        </div>
        <fieldset className="toolbar">
          <legend>Event groups (none and no filters: every event)</legend>
          {webhookGroups[scope].map((group) => (
            <label key={group} className="check">
              <input type="checkbox" checked={groups.includes(group)} onChange={(e) => setGroups(e.target.checked ? [...groups, group] : groups.filter((g) => g !== group))} />
              {group}
            </label>
          ))}
        </fieldset>
        <div className="toolbar">
          <label>
            Event filters
            <input value={filters} onChange={(e) => setFilters(e.target.value)} placeholder="update_failed, deployment_failed" />
          </label>
          <button type="submit" disabled={action.busy}>
            Create webhook
          </button>
        </div>
      </form>
      <ActionOutcome {...action} />
      <Query query={hooks}>
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No webhooks.</p>
          ) : (
            <div className="table-wrap">
              <table aria-label="Webhooks">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Payload URL</th>
                    <th scope="col">Format</th>
                    <th scope="col">Subscribed to</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((hook) => (
                    <tr key={hook.name}>
                      <td>
                        {hook.displayName} {!hook.active && <span className="badge">inactive</span>}
                      </td>
                      <td>
                        <code>{hook.payloadUrl}</code>
                      </td>
                      <td>{hook.format}</td>
                      <td>{[...(hook.groups ?? []), ...(hook.filters ?? [])].join(', ') || 'every event'}</td>
                      <td>
                        <div className="row-actions">
                          <button
                            type="button"
                            className="secondary"
                            onClick={() =>
                              action.run(() => api.post(`${hookPath(hook.name)}/ping`), `Pinged “${hook.displayName}”.`, [`${hookPath(hook.name)}/deliveries`]).then(() => setShown(hook.name))
                            }
                          >
                            Ping <span className="visually-hidden">{hook.displayName}</span>
                          </button>
                          <button type="button" className="secondary" aria-pressed={shown === hook.name} onClick={() => setShown(shown === hook.name ? null : hook.name)}>
                            Deliveries <span className="visually-hidden">of {hook.displayName}</span>
                          </button>
                          <ConfirmButton
                            label={`Delete`}
                            question={`Delete webhook “${hook.displayName}”?`}
                            confirmLabel="Delete webhook"
                            onConfirm={() => action.run(() => api.delete(hookPath(hook.name)), `Deleted “${hook.displayName}”.`, [path]).then(() => setShown(null))}
                          />
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Query>
      {shown && <Deliveries path={`${hookPath(shown)}/deliveries`} name={hooks.data?.find((h) => h.name === shown)?.displayName ?? shown} />}
    </>
  );
}

function Deliveries({ path, name }: { path: string; name: string }) {
  const deliveries = useQuery<Delivery[]>({ queryKey: [path] });
  return (
    <section className="card" aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">Deliveries of “{name}”</h2>
      <Query query={deliveries}>
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No deliveries yet.</p>
          ) : (
            <div className="table-wrap">
              <table aria-label="Deliveries">
                <thead>
                  <tr>
                    <th scope="col">Event</th>
                    <th scope="col">Sent</th>
                    <th scope="col">Response</th>
                    <th scope="col">Duration</th>
                    <th scope="col">Response body</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((d) => (
                    <tr key={`${d.id}-${d.timestamp}`}>
                      <td>{d.kind}</td>
                      <td className="nowrap">{formatApiTime(d.timestamp * 1000)}</td>
                      <td>
                        <span className={`badge ${d.responseCode >= 200 && d.responseCode < 300 ? 'succeeded' : 'failed'}`}>{d.responseCode || 'no response'}</span>
                      </td>
                      <td>{d.duration} ms</td>
                      <td>
                        <code className="value">{d.responseBody.slice(0, 200)}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Query>
    </section>
  );
}
