import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, seg } from '../api';
import { ActionOutcome, useAction } from '../org/useAction';
import { Query } from '../shell/Query';
import { formatApiTime } from './format';

interface PackSummary {
  name: string;
  displayName: string;
  versions: number[];
  versionTags: string[];
}

interface PackVersion {
  name: string;
  displayName: string;
  version: number;
  versionTag: string;
  policies: Array<{ name: string; displayName?: string; description?: string; enforcementLevel: string }>;
}

interface GroupSummary {
  name: string;
  isOrgDefault: boolean;
  numStacks: number;
  mode: string;
  numEnabledPolicyPacks: number;
}

interface Group {
  name: string;
  mode: string;
  stacks: Array<{ name: string; routingProject: string }>;
  appliedPolicyPacks: Array<{ name: string; displayName: string; version: number; versionTag: string }>;
}

interface Violation {
  level: string;
  message: string;
  observedAt: string;
  policyName: string;
  policyPack: string;
  projectName: string;
  stackName: string;
  resourceName: string;
  resourceType: string;
}

/** `/{org}/policies`: policy packs and their versions' policies, policy groups (stacks, packs enabled), and violations. */
export function PoliciesPage() {
  const { org = '' } = useParams();
  const base = `/api/orgs/${seg(org)}`;
  return (
    <section>
      <h1>Policies</h1>
      <PolicyPacks base={base} />
      <PolicyGroups key={org} org={org} base={base} />
      <Violations org={org} base={base} />
    </section>
  );
}

function PolicyPacks({ base }: { base: string }) {
  const packs = useQuery<{ policyPacks: PackSummary[] }>({ queryKey: [`${base}/policypacks`] });
  const [shown, setShown] = useState<{ name: string; version: number } | null>(null);
  return (
    <section className="card" aria-labelledby="packs-title">
      <h2 id="packs-title">Policy packs</h2>
      <Query query={packs}>
        {({ policyPacks }) =>
          policyPacks.length === 0 ? (
            <p className="muted">No policy packs: publish one with `pulumi policy publish`.</p>
          ) : (
            <div className="table-wrap">
              <table aria-label="Policy packs">
                <thead>
                  <tr>
                    <th scope="col">Pack</th>
                    <th scope="col">Versions</th>
                  </tr>
                </thead>
                <tbody>
                  {policyPacks.map((pack) => (
                    <tr key={pack.name}>
                      <td>
                        {pack.displayName || pack.name} <span className="muted">{pack.name}</span>
                      </td>
                      <td>
                        <div className="row-actions">
                          {pack.versions.map((version, i) => (
                            <button
                              key={version}
                              type="button"
                              className="secondary"
                              aria-pressed={shown?.name === pack.name && shown.version === version}
                              onClick={() => setShown({ name: pack.name, version })}
                            >
                              {pack.versionTags[i] || version} <span className="visually-hidden">of {pack.name}</span>
                            </button>
                          ))}
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
      {shown && <PackPolicies path={`${base}/policypacks/${seg(shown.name)}/versions/${shown.version}`} />}
    </section>
  );
}

function PackPolicies({ path }: { path: string }) {
  const pack = useQuery<PackVersion>({ queryKey: [path] });
  return (
    <Query query={pack}>
      {(p) => (
        <>
          <h3>
            {p.displayName || p.name} {p.versionTag || p.version}
          </h3>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Policy</th>
                  <th scope="col">Enforcement</th>
                  <th scope="col">Description</th>
                </tr>
              </thead>
              <tbody>
                {p.policies.map((policy) => (
                  <tr key={policy.name}>
                    <td>{policy.displayName || policy.name}</td>
                    <td>
                      <span className={policy.enforcementLevel === 'mandatory' ? 'badge failed' : 'badge'}>{policy.enforcementLevel}</span>
                    </td>
                    <td>{policy.description ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Query>
  );
}

/** Policy groups; the chosen one's stacks and packs, where a pack can be enabled (a version) or disabled. */
function PolicyGroups({ org, base }: { org: string; base: string }) {
  const groups = useQuery<{ policyGroups: GroupSummary[] }>({ queryKey: [`${base}/policygroups`] });
  const [shown, setShown] = useState<string | null>(null);
  return (
    <section className="card" aria-labelledby="groups-title">
      <h2 id="groups-title">Policy groups</h2>
      <Query query={groups}>
        {({ policyGroups }) => (
          <div className="table-wrap">
            <table aria-label="Policy groups">
              <thead>
                <tr>
                  <th scope="col">Group</th>
                  <th scope="col">Mode</th>
                  <th scope="col">Stacks</th>
                  <th scope="col">Packs enabled</th>
                </tr>
              </thead>
              <tbody>
                {policyGroups.map((g) => (
                  <tr key={g.name} aria-current={shown === g.name || undefined}>
                    <td>
                      <button type="button" className="linkish" onClick={() => setShown(g.name)}>
                        {g.name}
                      </button>{' '}
                      {g.isOrgDefault && <span className="badge">default</span>}
                    </td>
                    <td>{g.mode}</td>
                    <td>{g.isOrgDefault ? 'every stack' : g.numStacks}</td>
                    <td>{g.numEnabledPolicyPacks}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Query>
      {shown && <GroupDetails org={org} base={base} name={shown} />}
    </section>
  );
}

function GroupDetails({ org, base, name }: { org: string; base: string; name: string }) {
  const path = `${base}/policygroups/${seg(name)}`;
  const group = useQuery<Group>({ queryKey: [path] });
  const packs = useQuery<{ policyPacks: PackSummary[] }>({ queryKey: [`${base}/policypacks`] });
  const action = useAction();
  const [choice, setChoice] = useState('');
  const refresh = [path, `${base}/policygroups`];

  function enable(event: FormEvent) {
    event.preventDefault();
    const [pack, version] = choice.split('@');
    if (!pack || !version) return;
    void action.run(() => api.patch(path, { addPolicyPack: { name: pack, version: Number(version) } }), `Enabled ${pack} in “${name}”.`, refresh);
  }

  return (
    <Query query={group}>
      {(g) => (
        <section aria-labelledby="group-title">
          <h3 id="group-title">Group “{g.name}”</h3>
          <h4>Stacks</h4>
          {g.stacks.length === 0 ? (
            <p className="muted">No stacks listed.</p>
          ) : (
            <ul>
              {g.stacks.map((s) => (
                <li key={`${s.routingProject}/${s.name}`}>
                  <Link to={`/${seg(org)}/${seg(s.routingProject)}/${seg(s.name)}`}>
                    {s.routingProject}/{s.name}
                  </Link>
                </li>
              ))}
            </ul>
          )}
          <h4>Policy packs</h4>
          {g.appliedPolicyPacks.length === 0 ? (
            <p className="muted">No packs enabled.</p>
          ) : (
            <ul>
              {g.appliedPolicyPacks.map((p) => (
                <li key={p.name}>
                  {p.displayName || p.name} {p.versionTag || p.version}{' '}
                  <button
                    type="button"
                    className="secondary"
                    disabled={action.busy}
                    onClick={() => void action.run(() => api.patch(path, { removePolicyPack: { name: p.name, version: p.version } }), `Disabled ${p.name} in “${name}”.`, refresh)}
                  >
                    Disable <span className="visually-hidden">{p.name}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          {(packs.data?.policyPacks.length ?? 0) > 0 && (
            <form className="toolbar" onSubmit={enable} aria-label="Enable a policy pack">
              <label>
                Pack version
                <select value={choice} onChange={(e) => setChoice(e.target.value)} required>
                  <option value="">Choose…</option>
                  {packs.data!.policyPacks.flatMap((p) =>
                    p.versions.map((v, i) => (
                      <option key={`${p.name}@${v}`} value={`${p.name}@${v}`}>
                        {p.name} {p.versionTags[i] || v}
                      </option>
                    )),
                  )}
                </select>
              </label>
              <button type="submit" disabled={action.busy}>
                Enable pack
              </button>
            </form>
          )}
          <ActionOutcome {...action} />
        </section>
      )}
    </Query>
  );
}

/** Violations, newest first, a page at a time with the API's continuation token. */
function Violations({ org, base }: { org: string; base: string }) {
  const [tokens, setTokens] = useState<string[]>([]);
  const token = tokens.at(-1);
  const path = `${base}/policyresults/violationsv2?pageSize=100${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`;
  const violations = useQuery<{ policyViolations: Violation[]; continuationToken?: string }>({ queryKey: [path] });
  return (
    <section className="card" aria-labelledby="violations-title">
      <h2 id="violations-title">Violations</h2>
      <Query query={violations}>
        {({ policyViolations, continuationToken }) => (
          <>
            {policyViolations.length === 0 ? (
              <p className="muted">No violations.</p>
            ) : (
              <div className="table-wrap">
                <table aria-label="Violations">
                  <thead>
                    <tr>
                      <th scope="col">Stack</th>
                      <th scope="col">Resource</th>
                      <th scope="col">Policy</th>
                      <th scope="col">Level</th>
                      <th scope="col">Message</th>
                      <th scope="col">Observed</th>
                    </tr>
                  </thead>
                  <tbody>
                    {policyViolations.map((v, i) => (
                      <tr key={i}>
                        <td>
                          <Link to={`/${seg(org)}/${seg(v.projectName)}/${seg(v.stackName)}`}>
                            {v.projectName}/{v.stackName}
                          </Link>
                        </td>
                        <td>
                          {v.resourceName} <span className="muted">{v.resourceType}</span>
                        </td>
                        <td>
                          {v.policyPack}: {v.policyName}
                        </td>
                        <td>
                          <span className={v.level === 'mandatory' ? 'badge failed' : 'badge'}>{v.level}</span>
                        </td>
                        <td>{v.message}</td>
                        <td className="nowrap">{formatApiTime(v.observedAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <p className="actions">
              {tokens.length > 0 && (
                <button type="button" className="secondary" onClick={() => setTokens(tokens.slice(0, -1))}>
                  Previous page
                </button>
              )}
              {continuationToken && (
                <button type="button" className="secondary" onClick={() => setTokens([...tokens, continuationToken])}>
                  Next page
                </button>
              )}
            </p>
          </>
        )}
      </Query>
    </section>
  );
}
