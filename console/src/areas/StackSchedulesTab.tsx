import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, seg } from '../api';
import { ConfirmButton } from '../org/ConfirmButton';
import { ActionOutcome, useAction } from '../org/useAction';
import { Query } from '../shell/Query';
import { formatApiTime, scheduleKind, utcInputToRfc3339 } from './format';
import { useStackRef } from './stack-api';

interface Schedule {
  id: string;
  scheduleCron?: string;
  scheduleOnce?: string;
  nextExecution: string | null;
  lastExecuted: string | null;
  paused: boolean;
  definition: { request: { operation?: string; operationContext?: unknown } };
}

interface HistoryEvent {
  id: string;
  executed: string;
  version: number | null;
  result: string;
}

const kindLabel = { raw: 'Deployment', drift: 'Drift detection', ttl: 'Time to live' } as const;

/** `…/schedules`: the stack's deployment schedules (raw, drift, TTL) with pause, resume, delete and each one's firings. */
export function StackSchedulesTab() {
  const { apiPath } = useStackRef();
  const base = `${apiPath}/deployments/schedules`;
  const schedules = useQuery<{ schedules: Schedule[] }>({ queryKey: [base] });
  const action = useAction();
  const [shown, setShown] = useState<string | null>(null);

  return (
    <>
      <section className="card" aria-labelledby="schedules-title">
        <h2 id="schedules-title">Schedules</h2>
        <NewSchedule base={`${apiPath}/deployments`} run={action.run} busy={action.busy} refresh={base} />
        <ActionOutcome {...action} />
        <Query query={schedules}>
          {({ schedules: list }) =>
            list.length === 0 ? (
              <p className="muted">No schedules.</p>
            ) : (
              <div className="table-wrap">
                <table aria-label="Schedules">
                  <thead>
                    <tr>
                      <th scope="col">Kind</th>
                      <th scope="col">When</th>
                      <th scope="col">Operation</th>
                      <th scope="col">State</th>
                      <th scope="col">Next run</th>
                      <th scope="col">Last run</th>
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((s) => {
                      const when = s.scheduleCron ? `cron ${s.scheduleCron} (UTC)` : `once at ${formatApiTime(s.scheduleOnce)}`;
                      const item = `${base}/${seg(s.id)}`;
                      return (
                        <tr key={s.id}>
                          <td>{kindLabel[scheduleKind(s.definition.request, s.scheduleOnce !== undefined)]}</td>
                          <td>
                            <code>{when}</code>
                          </td>
                          <td>{s.definition.request.operation ?? ''}</td>
                          <td>
                            <span className="badge">{s.paused ? 'paused' : 'active'}</span>
                          </td>
                          <td className="nowrap">{s.paused ? '—' : formatApiTime(s.nextExecution)}</td>
                          <td className="nowrap">{formatApiTime(s.lastExecuted, 'Never')}</td>
                          <td>
                            <div className="row-actions">
                              {s.paused ? (
                                <button type="button" className="secondary" disabled={action.busy} onClick={() => void action.run(() => api.post(`${item}/resume`), 'Schedule resumed.', [base])}>
                                  Resume <span className="visually-hidden">{when}</span>
                                </button>
                              ) : (
                                <button type="button" className="secondary" disabled={action.busy} onClick={() => void action.run(() => api.post(`${item}/pause`), 'Schedule paused.', [base])}>
                                  Pause <span className="visually-hidden">{when}</span>
                                </button>
                              )}
                              <button type="button" className="secondary" aria-pressed={shown === s.id} onClick={() => setShown(shown === s.id ? null : s.id)}>
                                History <span className="visually-hidden">of {when}</span>
                              </button>
                              <ConfirmButton
                                label="Delete"
                                question={`Delete the schedule ${when}?`}
                                confirmLabel="Delete schedule"
                                onConfirm={() => action.run(() => api.delete(item), 'Schedule deleted.', [base]).then(() => setShown(null))}
                              />
                            </div>
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
      {shown && <ScheduleHistory path={`${base}/${seg(shown)}/history`} />}
    </>
  );
}

/** A new schedule of one of the three kinds, at the path the API has for it. */
function NewSchedule({ base, run, busy, refresh }: { base: string; run: ReturnType<typeof useAction>['run']; busy: boolean; refresh: string }) {
  const [kind, setKind] = useState<'raw' | 'drift' | 'ttl'>('raw');
  const [cron, setCron] = useState('0 3 * * *');
  const [operation, setOperation] = useState('update');
  const [at, setAt] = useState('');

  function create(event: FormEvent) {
    event.preventDefault();
    const [path, body] =
      kind === 'raw'
        ? [`${base}/schedules`, { scheduleCron: cron.trim(), request: { operation } }]
        : kind === 'drift'
          ? [`${base}/drift/schedules`, { scheduleCron: cron.trim() }]
          : [`${base}/ttl/schedules`, { timestamp: utcInputToRfc3339(at) }];
    void run(() => api.post(path, body), `${kindLabel[kind]} schedule created.`, [refresh]);
  }

  return (
    <form className="toolbar" onSubmit={create} aria-label="New schedule">
      <label>
        Kind
        <select value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
          {(Object.keys(kindLabel) as Array<keyof typeof kindLabel>).map((k) => (
            <option key={k} value={k}>
              {kindLabel[k]}
            </option>
          ))}
        </select>
      </label>
      {kind === 'ttl' ? (
        <label>
          Destroy at (UTC)
          <input type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} required />
        </label>
      ) : (
        <label>
          Cron (UTC)
          <input value={cron} onChange={(e) => setCron(e.target.value)} required maxLength={256} className="mono" />
        </label>
      )}
      {kind === 'raw' && (
        <label>
          Operation
          <select value={operation} onChange={(e) => setOperation(e.target.value)}>
            {['update', 'preview', 'refresh', 'destroy'].map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
        </label>
      )}
      <button type="submit" disabled={busy}>
        Create schedule
      </button>
    </form>
  );
}

function ScheduleHistory({ path }: { path: string }) {
  const history = useQuery<{ scheduleHistoryEvents: HistoryEvent[] }>({ queryKey: [path] });
  return (
    <section className="card" aria-labelledby="schedule-history-title">
      <h2 id="schedule-history-title">Schedule history</h2>
      <Query query={history}>
        {({ scheduleHistoryEvents: events }) =>
          events.length === 0 ? (
            <p className="muted">It has not run yet.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Ran</th>
                    <th scope="col">Deployment</th>
                    <th scope="col">Result</th>
                  </tr>
                </thead>
                <tbody>
                  {events.map((e) => (
                    <tr key={e.id}>
                      <td className="nowrap">{formatApiTime(e.executed)}</td>
                      <td>{e.version === null ? '—' : `#${e.version}`}</td>
                      <td>{e.result}</td>
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
