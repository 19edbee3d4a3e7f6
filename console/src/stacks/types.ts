// The API's shapes the stack pages read (src/api/stacks, src/api/state, src/api/updates).

/** `GET /api/user/stacks`: one page of stacks. */
export interface StackSummary {
  id: string;
  orgName: string;
  projectName: string;
  stackName: string;
  /** Unix seconds. */
  lastUpdate?: number;
  resourceCount?: number;
}

export interface StackList {
  stacks: StackSummary[];
  continuationToken?: string;
}

/** `GET /api/stacks/{org}/{project}/{stack}`. */
export interface Stack {
  id: string;
  orgName: string;
  projectName: string;
  stackName: string;
  currentOperation?: { kind: string; author: string; started: number };
  tags: Record<string, string>;
  version: number;
}

/** A resource of a checkpoint as the state stores it. */
export interface StateResource {
  urn: string;
  type: string;
  custom?: boolean;
  id?: string;
  parent?: string;
  provider?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  protect?: boolean;
  delete?: boolean;
}

/** `GET …/resources/latest`. */
export interface StackResources {
  resources: Array<{ resource: StateResource }>;
  version: number;
}

export type UpdateResult = 'not-started' | 'in-progress' | 'succeeded' | 'failed';

/** An update as the service lists it (`?output-type=service`, `updates/{version}`, `updates/latest`). */
export interface UpdateEntry {
  updateID: string;
  version: number;
  latestVersion: number;
  requestedBy: { name: string; githubLogin: string; avatarUrl?: string };
  info: {
    kind: string;
    /** Unix seconds, as `endTime` (0 while it runs). */
    startTime: number;
    endTime: number;
    message: string;
    result: UpdateResult;
    resourceChanges?: Record<string, number>;
    resourceCount?: number;
  };
}

export interface UpdateHistory {
  updates: UpdateEntry[];
  itemsPerPage: number;
  total: number;
}

/** `previews/{updateId}/summary`. */
export interface UpdateSummary {
  startTime: number;
  endTime: number;
  result: UpdateResult;
  resourceCount: number;
}

/** The state of a resource before or after a step (Pulumi's StepEventStateMetadata). */
export interface StepState {
  type?: string;
  urn?: string;
  id?: string;
  parent?: string;
  provider?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

export interface PropertyDiff {
  diffKind: 'add' | 'add-replace' | 'delete' | 'delete-replace' | 'update' | 'update-replace';
  inputDiff?: boolean;
}

/** Pulumi's StepEventMetadata: what a step does to one resource. */
export interface StepMetadata {
  op: string;
  urn: string;
  type: string;
  old?: StepState | null;
  new?: StepState | null;
  keys?: string[] | null;
  diffs?: string[] | null;
  detailedDiff?: Record<string, PropertyDiff> | null;
  provider?: string;
}

/** An engine event as `GET …/update/{id}/events` returns it: its payload under its kind, `type` naming the kind. */
export interface EngineEvent {
  sequence: number;
  timestamp: number;
  type: string;
  resourcePreEvent?: { metadata: StepMetadata; planning?: boolean };
  resOutputsEvent?: { metadata: StepMetadata; planning?: boolean };
  resOpFailedEvent?: { metadata: StepMetadata; status: number; steps: number };
  diagnosticEvent?: { urn?: string; message: string; severity: string; ephemeral?: boolean };
  summaryEvent?: { durationSeconds: number; resourceChanges?: Record<string, number>; maybeCorrupt?: boolean };
  stdoutEvent?: { message: string };
}

export interface EventPage {
  events: EngineEvent[];
  continuationToken: string | null;
}
