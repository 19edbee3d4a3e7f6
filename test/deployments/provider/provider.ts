// Test-only resource provider `stackyardfile`: one resource, `stackyardfile:index:File`, is a file
// on the local disk. Tests change a file behind Pulumi's back to make drift that `pulumi refresh`
// sees (read returns the file as it is now) and `pulumi up --refresh` undoes.
import fs from 'node:fs';
import path from 'node:path';
import * as provider from '@pulumi/pulumi/provider/index.js';

const version = '0.0.1';
const fileType = 'stackyardfile:index:File';

interface FileState {
  path: string;
  content: string;
}

// The YAML language host resolves resource types and type-checks the program against this schema.
const stringProperty = { type: 'string' };
const fileProperties = { path: stringProperty, content: stringProperty };
const schema = JSON.stringify({
  name: 'stackyardfile',
  version,
  description: 'Test-only provider: files on the local disk.',
  resources: {
    [fileType]: {
      description: 'A file; `path` is absolute, `content` its whole text.',
      inputProperties: fileProperties,
      requiredInputs: ['path', 'content'],
      properties: fileProperties,
      required: ['path', 'content'],
    },
  },
});

function write(state: FileState): FileState {
  fs.mkdirSync(path.dirname(state.path), { recursive: true });
  fs.writeFileSync(state.path, state.content);
  return { path: state.path, content: state.content };
}

const fileProvider: provider.Provider = {
  version,
  schema,

  async check(_urn, _olds, news) {
    const failures: provider.CheckFailure[] = [];
    if (typeof news.path !== 'string' || !path.isAbsolute(news.path)) failures.push({ property: 'path', reason: 'must be an absolute path' });
    if (typeof news.content !== 'string') failures.push({ property: 'content', reason: 'must be a string' });
    return { inputs: { path: news.path, content: news.content }, failures };
  },

  // `olds` are the recorded outputs: after a refresh they hold what read found on disk.
  async diff(_id, _urn, olds, news) {
    const replaces = olds.path !== news.path ? ['path'] : [];
    return { changes: replaces.length > 0 || olds.content !== news.content, replaces };
  },

  async create(_urn, inputs) {
    const outs = write(inputs);
    return { id: outs.path, outs };
  },

  // The file as it is now, so that edits made behind Pulumi's back show as drift; a missing file
  // answers an empty id, which tells the engine the resource is gone.
  async read(id, _urn, props) {
    const file = typeof props?.path === 'string' ? props.path : id;
    let content: string;
    try {
      content = fs.readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { id: '', props: {} };
      throw error;
    }
    const state = { path: file, content };
    return { id, props: state, inputs: state };
  },

  async update(_id, _urn, _olds, news) {
    return { outs: write(news) };
  },

  async delete(_id, _urn, props) {
    fs.rmSync(props.path, { force: true });
  },
};

await provider.main(fileProvider, process.argv.slice(2));
