import type { IndexedResource } from './store.js';
import { csvLine } from '../../http/csv.js';

/**
 * A search result as `GET …/search/resources` answers it (Pulumi's v1 `ResourceResult`, with the
 * dotted `parent.urn` and `provider.urn` the CLI reads, and their `parent_urn`/`provider_urn`
 * spelling of the spec). `pulumi org search` reads project, stack, name, type,
 * package, module and modified without checking they are there, so those are always sent.
 */
export interface SearchResourceView {
  created?: string;
  custom: boolean;
  delete: boolean;
  dependencies: string[];
  id?: string;
  modified: string;
  module: string;
  name: string;
  package: string;
  'parent.urn'?: string;
  /** Also as the spec's `ResourceResult` spells them, which Pulumi's generated clients read. */
  parent_urn?: string;
  pending?: string;
  project: string;
  properties?: unknown;
  protected: boolean;
  'provider.urn'?: string;
  provider_urn?: string;
  stack: string;
  teams: string[];
  type: string;
  urn: string;
}

const isoTime = (ms: number | null) => (ms ? new Date(ms).toISOString() : '');

export function presentResource(r: IndexedResource, withProperties: boolean): SearchResourceView {
  return {
    ...(r.created && { created: isoTime(r.created) }),
    custom: r.custom,
    delete: r.delete,
    dependencies: r.dependencies,
    ...(r.id && { id: r.id }),
    modified: isoTime(r.modified),
    module: r.module,
    name: r.name,
    package: r.package,
    ...(r.parentUrn && { 'parent.urn': r.parentUrn, parent_urn: r.parentUrn }),
    ...(r.pending && { pending: r.pending }),
    project: r.project,
    ...(withProperties && { properties: JSON.parse(r.propertiesText) as unknown }),
    protected: r.protected,
    ...(r.providerUrn && { 'provider.urn': r.providerUrn, provider_urn: r.providerUrn }),
    stack: r.stack,
    teams: r.teams,
    type: r.type,
    urn: r.urn,
  };
}

/** The export's columns, as Pulumi's Data Export documents them; `properties` when asked for. */
const csvColumns = ['created', 'custom', 'delete', 'id', 'modified', 'module', 'name', 'package', 'parent_urn', 'pending', 'project', 'protected', 'provider_urn', 'stack', 'type', 'urn'];

export const presentCsvHeader = (withProperties: boolean) => `${[...csvColumns, ...(withProperties ? ['properties'] : [])].join(',')}\n`;

export function presentCsvRow(r: IndexedResource, withProperties: boolean): string {
  const fields = [
    isoTime(r.created),
    String(r.custom),
    String(r.delete),
    r.id,
    isoTime(r.modified),
    r.module,
    r.name,
    r.package,
    r.parentUrn,
    r.pending,
    r.project,
    String(r.protected),
    r.providerUrn,
    r.stack,
    r.type,
    r.urn,
    ...(withProperties ? [r.propertiesText] : []),
  ];
  return csvLine(fields);
}
