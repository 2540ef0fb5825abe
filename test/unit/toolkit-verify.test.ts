import { loadOpenApiTypescript } from '../../scripts/toolkit-verify/formats/openapi-typescript.ts';
import { buildSchema, printSchema } from 'graphql';
import { checkGraphqlTool } from '../../scripts/toolkit-verify/check-graphql.ts';
import { codegenTypescriptToSdl, loadGraphqlCodegenTypescript } from '../../scripts/toolkit-verify/formats/graphql-codegen-typescript.ts';
import { oneToolKit } from '../helpers/one-tool-kit.ts';
import { loadFernTypescript } from '../../scripts/toolkit-verify/formats/fern-typescript.ts';
import { loadFernTypescriptNoSerde } from '../../scripts/toolkit-verify/formats/fern-typescript-no-serde.ts';
import { loadGoogleapisTypescript } from '../../scripts/toolkit-verify/formats/googleapis-typescript.ts';
import { loadDiscordApiSpec } from '../../scripts/toolkit-verify/formats/discord-api-spec.ts';
import { loadHeyApiTypescript } from '../../scripts/toolkit-verify/formats/hey-api-typescript.ts';
import { loadSwaggerCodegenJavascript } from '../../scripts/toolkit-verify/formats/swagger-codegen-javascript.ts';
import { loadDropboxStone } from '../../scripts/toolkit-verify/formats/dropbox-stone.ts';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRestTool } from '../../scripts/toolkit-verify/check-rest.ts';
import { loadOpenApiGeneratorTypescript } from '../../scripts/toolkit-verify/formats/openapi-generator-typescript.ts';
import { loadBoxSdkGen } from '../../scripts/toolkit-verify/formats/box-sdk-gen.ts';
import { loadZoomRivet } from '../../scripts/toolkit-verify/formats/zoom-rivet.ts';
import type { LoadedSpec } from '../../scripts/toolkit-verify/model.ts';
import { loadSpeakeasyTypescript } from '../../scripts/toolkit-verify/formats/speakeasy-typescript.ts';
import { loadOrvalFetch } from '../../scripts/toolkit-verify/formats/orval-fetch.ts';
import { loadStainlessTypescript } from '../../scripts/toolkit-verify/formats/stainless-typescript.ts';
import { loadOpenApiGeneratorTypescriptAxios } from '../../scripts/toolkit-verify/formats/openapi-generator-typescript-axios.ts';
import { loadSpecRegistry } from '../../scripts/toolkit-verify/registry.ts';
import { verifyToolkits } from '../../scripts/toolkit-verify/verify.ts';
import { loadCatalogue } from '../../src/catalogue/load.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

/**
 * `npm run toolkit:verify` on a small toolkit and two small specs (test/fixtures/toolkit-verify), served
 * from loopback as URL sources with their sha256: the toolkit as written passes, and each way of
 * breaking a tool (method, path, an argument renamed, sent in the wrong place, a required parameter
 * left optional, a type or enum the spec does not accept, a GraphQL field the schema lacks) fails it.
 */
const FIXTURES = join(import.meta.dirname, '../fixtures/toolkit-verify');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let upstream: FakeUpstream;
const temp = makeTempDir('latchkey-verify-');
let registryFile: string;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  for (const name of ['tasks-openapi.json', 'tasks-openapi.yaml', 'tasks-discovery.json', 'tasks.graphql'])
    upstream.on(`/specs/${name}`, (_req, res) => {
      res.writeHead(200);
      res.end(fixture(name));
    });
  registryFile = join(temp.path, '_specs.json');
  writeFileSync(
    registryFile,
    JSON.stringify({
      'tasks-rest': { format: 'openapi', url: `${upstream.url}/specs/tasks-openapi.json`, sha256: sha256(fixture('tasks-openapi.json')) },
      'tasks-discovery': {
        format: 'discovery',
        url: `${upstream.url}/specs/tasks-discovery.json`,
        sha256: sha256(fixture('tasks-discovery.json')),
      },
      'tasks-graphql': { format: 'graphql', url: `${upstream.url}/specs/tasks.graphql`, sha256: sha256(fixture('tasks.graphql')) },
    }),
  );
});
afterAll(async () => {
  await upstream.close();
  temp.cleanup();
});

let copies = 0;
/** Loads a copy of the fixture toolkit, changed by `edit`, the way the catalogue loads any toolkit file. */
function toolkitCopy(edit: (tools: Record<string, any>) => void = () => {}) {
  const raw = JSON.parse(fixture('tasks.json').toString('utf8'));
  edit(Object.fromEntries(raw.tools.map((t: any) => [t.slug, t])));
  const dir = join(temp.path, `copy-${++copies}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'tasks.json'), JSON.stringify(raw));
  return loadCatalogue([dir]).toolkits;
}

async function verify(edit?: (tools: Record<string, any>) => void, cache = join(temp.path, 'cache')) {
  const report = await verifyToolkits(toolkitCopy(edit), loadSpecRegistry(registryFile), cache);
  return { report, problems: (slug: string) => report.results.find((r) => r.tool === slug)!.problems.join('; ') };
}

/** The fixture toolkit's list and create tools, changed by `edit`, checked against two operations of a spec read by one format. */
function checkListAndCreate(spec: LoadedSpec, ids: { list: string; create: string }, edit?: (tools: Record<string, any>) => void) {
  const [toolkit] = toolkitCopy(edit);
  const problems = (slug: string, id: string) => {
    const op = spec.kind === 'rest' ? spec.operation(id) : undefined;
    if (!op) throw new Error(`no operation ${id}`);
    return checkRestTool(toolkit!, toolkit!.tools.find((t) => t.slug === slug)!, op).join('; ');
  };
  return { list: problems('TASKS_LIST_TASKS', ids.list), create: problems('TASKS_CREATE_TASK', ids.create) };
}

/** What every format must catch on those two tools: a method, a path, a renamed argument, a type and an enum value changed. */
function breakListAndCreate(t: Record<string, any>) {
  t.TASKS_CREATE_TASK.request.method = 'PUT';
  t.TASKS_LIST_TASKS.input_parameters.properties.status.enum = ['open', 'archived'];
  const props = t.TASKS_CREATE_TASK.input_parameters.properties;
  props.due.type = 'integer';
  props.due_date = props.title;
  delete props.title;
  t.TASKS_CREATE_TASK.input_parameters.required = ['project_id'];
  t.TASKS_CREATE_TASK.request.path = '/projects/{project_id}/task';
}

/** A toolkit of one tool (these arguments, this request) under `base_url`, checked against operation `id` of a REST spec. */
function checkOneTool(
  spec: LoadedSpec,
  id: string,
  request: { method: string; path: string },
  props: Record<string, unknown>,
  required: string[] = [],
  base_url = 'https://api.example.com',
) {
  if (spec.kind !== 'rest') throw new Error('expected a REST spec');
  const kit = oneToolKit({ input_parameters: { type: 'object', properties: props, required }, request }, { base_url });
  return checkRestTool(kit, kit.tools[0]!, spec.operation(id)!);
}

describe('toolkit:verify', () => {
  it('passes the toolkit as written: five tools verified against their specs (OpenAPI, Discovery, GraphQL), one reviewed from docs', async () => {
    const { report } = await verify();
    expect(report.results.filter((r) => r.problems.length > 0)).toEqual([]);
    expect(report).toMatchObject({ verified: 5, docs: 1, failed: 0 });
  });

  it('fails a changed method', async () => {
    const { report, problems } = await verify((t) => {
      t.TASKS_CREATE_TASK.request.method = 'PUT';
    });
    expect(report.failed).toBe(1);
    expect(problems('TASKS_CREATE_TASK')).toContain('method PUT, the spec says POST');
  });

  it('fails a changed path', async () => {
    const { report, problems } = await verify((t) => {
      t.TASKS_LIST_TASKS.request.path = '/projects/{project_id}/task';
    });
    expect(report.failed).toBe(1);
    expect(problems('TASKS_LIST_TASKS')).toContain('path /v2/projects/{project_id}/task, the spec says /v2/projects/{projectId}/tasks');
  });

  it('fails a Discovery method whose path, argument or enum the tool does not match', async () => {
    const { report, problems } = await verify((t) => {
      t.TASKS_ADD_NOTE.request.path = '/tasks/{task_id}/note';
      t.TASKS_ADD_NOTE.input_parameters.properties.pinned.type = 'string';
      t.TASKS_ADD_NOTE.input_parameters.properties.visibility.enum = ['public'];
    });
    expect(report.failed).toBe(1);
    expect(problems('TASKS_ADD_NOTE')).toBe(
      'path /v2/tasks/{task_id}/note, the spec says /v2/tasks/{taskId}/notes; visibility allows "public", not in the spec\'s enum; pinned is string here, boolean in the spec',
    );
  });

  it('fails a renamed argument, in the query and in the body', async () => {
    const { report, problems } = await verify((t) => {
      const list = t.TASKS_LIST_TASKS.input_parameters.properties;
      list.state = list.status;
      delete list.status;
      const create = t.TASKS_CREATE_TASK.input_parameters.properties;
      create.due_date = create.due;
      delete create.due;
    });
    expect(report.failed).toBe(2);
    expect(problems('TASKS_LIST_TASKS')).toContain('argument state is not in the spec');
    expect(problems('TASKS_CREATE_TASK')).toContain('argument due_date is not in the spec');
  });

  it('fails an argument sent where the spec does not take it, and a body of the wrong media type', async () => {
    const { report, problems } = await verify((t) => {
      delete t.TASKS_CREATE_TASK.request.query; // notify now goes to the JSON body
      t.TASKS_CLOSE_TASK.request.body = 'json';
    });
    expect(report.failed).toBe(2);
    expect(problems('TASKS_CREATE_TASK')).toContain('argument notify is sent in the body, the spec takes it in the query');
    expect(problems('TASKS_CLOSE_TASK')).toContain('sends a json body, the spec takes form');
  });

  it('fails a required parameter of the spec that the tool does not always send', async () => {
    const { report, problems } = await verify((t) => {
      t.TASKS_CREATE_TASK.input_parameters.required = ['project_id'];
      delete t.TASKS_CLOSE_TASK.request.headers;
      delete t.TASKS_CLOSE_TASK.input_parameters.properties.reason;
      t.TASKS_CLOSE_TASK.input_parameters.required = ['task_id'];
    });
    expect(report.failed).toBe(2);
    expect(problems('TASKS_CREATE_TASK')).toContain('the spec requires body property title');
    expect(problems('TASKS_CLOSE_TASK')).toContain('the spec requires header parameter X-Reason');
  });

  it('fails a type or an enum value the spec does not accept, also inside a body object', async () => {
    const { report, problems } = await verify((t) => {
      t.TASKS_CLOSE_TASK.input_parameters.properties.task_id.type = 'string';
      t.TASKS_LIST_TASKS.input_parameters.properties.status.enum = ['open', 'archived'];
      t.TASKS_CREATE_TASK.input_parameters.properties.assignee.properties.role.enum = ['boss'];
    });
    expect(report.failed).toBe(3);
    expect(problems('TASKS_CLOSE_TASK')).toContain('task_id is string here, integer in the spec');
    expect(problems('TASKS_LIST_TASKS')).toContain('status allows "archived", not in the spec\'s enum');
    expect(problems('TASKS_CREATE_TASK')).toContain('assignee.role allows "boss"');
  });

  it('fails a GraphQL document the schema does not validate, and one of another operation', async () => {
    const { report, problems } = await verify((t) => {
      const q = t.TASKS_GRAPHQL_CREATE_TASK.input_parameters.properties.query;
      q.const = q.default = 'mutation Create($input: TaskInput!) { taskCreate(input: $input) { id titel } }';
    });
    expect(report.failed).toBe(1);
    expect(problems('TASKS_GRAPHQL_CREATE_TASK')).toContain('Cannot query field "titel" on type "Task"');
    const other = await verify((t) => {
      t.TASKS_GRAPHQL_CREATE_TASK.source.operation = 'Query.viewer';
    });
    expect(other.problems('TASKS_GRAPHQL_CREATE_TASK')).toContain('the source names Query.viewer');
  });

  it('fails an operation or a spec id that does not exist', async () => {
    const { report, problems } = await verify((t) => {
      t.TASKS_LIST_TASKS.source.operation = 'listTask';
      t.TASKS_CLOSE_TASK.source.spec = 'tasks-v3';
    });
    expect(report.failed).toBe(2);
    expect(problems('TASKS_LIST_TASKS')).toBe('tasks-rest has no operation listTask');
    expect(problems('TASKS_CLOSE_TASK')).toBe('spec tasks-v3 is not in the registry');
  });

  it('a tool that names no source does not load', () => {
    expect(() =>
      toolkitCopy((t) => {
        delete t.TASKS_ARCHIVE.source;
      }),
    ).toThrow(/tools\[5\] \(TASKS_ARCHIVE\)\.source: every tool names where it comes from/);
  });

  it('fetches each spec once, and refuses a download whose sha256 is not the pinned one', async () => {
    const cache = join(temp.path, 'cache-once');
    const fetched = () => upstream.requests.filter((r) => r.url.startsWith('/specs/')).length;
    const before = fetched();
    await verify(undefined, cache);
    expect(fetched() - before).toBe(3);
    await verify(undefined, cache);
    expect(fetched() - before).toBe(3);

    const registry = JSON.parse(readFileSync(registryFile, 'utf8'));
    registry['tasks-rest'].sha256 = '0'.repeat(64);
    const tampered = join(temp.path, '_specs-tampered.json');
    writeFileSync(tampered, JSON.stringify(registry));
    const report = await verifyToolkits(toolkitCopy(), loadSpecRegistry(tampered), join(temp.path, 'cache-tampered'));
    expect(report.failed).toBe(3);
    expect(report.results[0]!.problems[0]).toMatch(/has sha256 [0-9a-f]{64}, the registry pins 0{64}/);
  });
});

describe('the openapi format, from a YAML document', () => {
  /** The registry with `tasks-rest` served as YAML (the same document as tasks-openapi.json). */
  function yamlRegistry() {
    const registry = JSON.parse(readFileSync(registryFile, 'utf8'));
    registry['tasks-rest'] = {
      format: 'openapi',
      url: `${upstream.url}/specs/tasks-openapi.yaml`,
      sha256: sha256(fixture('tasks-openapi.yaml')),
    };
    const file = join(temp.path, '_specs-yaml.json');
    writeFileSync(file, JSON.stringify(registry));
    return loadSpecRegistry(file);
  }

  it('reads it as it reads JSON: the tools as written pass, a changed path or a renamed argument fails', async () => {
    const cache = join(temp.path, 'cache-yaml');
    const passing = await verifyToolkits(toolkitCopy(), yamlRegistry(), cache);
    expect(passing.results.filter((r) => r.problems.length > 0)).toEqual([]);
    expect(passing).toMatchObject({ verified: 5, docs: 1, failed: 0 });

    const broken = await verifyToolkits(
      toolkitCopy((t) => {
        t.TASKS_LIST_TASKS.request.path = '/projects/{project_id}/task';
        t.TASKS_CREATE_TASK.input_parameters.properties.notify_all = t.TASKS_CREATE_TASK.input_parameters.properties.notify;
        delete t.TASKS_CREATE_TASK.input_parameters.properties.notify;
        t.TASKS_CREATE_TASK.request.query = ['notify_all'];
      }),
      yamlRegistry(),
      cache,
    );
    expect(broken.failed).toBe(2);
    const problems = (slug: string) => broken.results.find((r) => r.tool === slug)!.problems.join('; ');
    expect(problems('TASKS_LIST_TASKS')).toContain('the spec says /v2/projects/{projectId}/tasks');
    expect(problems('TASKS_CREATE_TASK')).toContain('notify_all');
  });
});

describe('the googleapis-typescript format', () => {
  it('reads method ids, paths written over two lines, inherited standard parameters and `any` values as the generator writes them', () => {
    const spec = loadGoogleapisTypescript(join(FIXTURES, 'tasks-googleapis-v1.ts.txt'));
    if (spec.kind !== 'rest') throw new Error('expected a REST spec');
    const batchGet = spec.operation('tasks.spreadsheets.values.batchGet');
    expect(batchGet?.path).toBe('/v4/spreadsheets/{spreadsheetId}/values:batchGet');
    expect(batchGet?.params.map((p) => `${p.in}:${p.name}`).sort()).toEqual([
      'path:spreadsheetId',
      'query:fields',
      'query:quotaUser',
      'query:ranges',
    ]);
    const update = spec.operation('tasks.spreadsheets.values.update');
    expect(update?.methods).toEqual(['PUT']);
    // a cell value is any JSON value, not an object
    expect(update?.body?.schema.properties?.values).toEqual({ type: ['array'], items: { type: ['array'], items: { open: true } } });
  });
});

describe('the graphql-codegen-typescript format (a schema as GraphQL Code Generator writes it, as in @linear/sdk)', () => {
  const file = join(FIXTURES, 'tasks-graphql-codegen.d.ts.txt');

  it('reads back the schema: object types with their interfaces, arguments (one with a default), inputs, enums, unions, nullability and lists', () => {
    const expected = `
      scalar DateTime
      enum TaskStatus { done open }
      interface Node { id: ID! }
      type Query { task(id: ID!): Task tasks(filter: TaskFilter, first: Int, limit: Int! = 0): TaskConnection! viewer: User! }
      type Mutation { taskCreate(input: TaskInput!): TaskPayload! }
      type User implements Node { id: ID! name: String! }
      type Task implements Node { dueAt: DateTime id: ID! labels: [String!]! status: TaskStatus! title: String! }
      type TaskConnection { nodes: [Task!]! }
      type TaskPayload { success: Boolean! task: Task }
      union Assignable = Task | User
      input TaskFilter { status: [TaskStatus!] and: [TaskFilter!] }
      input TaskInput { dueAt: DateTime labels: [String!] title: String! }`;
    const read = buildSchema(codegenTypescriptToSdl(readFileSync(file, 'utf8')));
    expect(printSchema(read)).toBe(printSchema(buildSchema(expected)));
    expect(read.getType('TaskFragment')).toBeUndefined();
  });

  it('passes a document the schema validates and fails one with a missing field, a nullable variable for a non-null argument or a wrong enum', () => {
    const spec = loadGraphqlCodegenTypescript(file);
    if (spec.kind !== 'graphql') throw new Error('expected a GraphQL spec');
    const check = (query: string, operation: string) =>
      checkGraphqlTool(
        oneToolKit({ input_parameters: { type: 'object', properties: { query: { type: 'string', const: query } } } }).tools[0]!,
        spec.schema,
        operation,
      );
    expect(check('query T($id: ID!) { task(id: $id) { id title status labels } }', 'Query.task')).toEqual([]);
    expect(check('mutation C($input: TaskInput!) { taskCreate(input: $input) { success task { id } } }', 'Mutation.taskCreate')).toEqual(
      [],
    );
    expect(check('query { tasks(first: 5, filter: { status: [open] }) { nodes { id } } }', 'Query.tasks')).toEqual([]);
    // a nullable variable may fill a non-null argument that has a default
    expect(check('query L($n: Int) { tasks(limit: $n) { nodes { id } } }', 'Query.tasks')).toEqual([]);
    expect(check('query T($id: ID!) { task(id: $id) { id titel } }', 'Query.task').join()).toContain(
      'Cannot query field "titel" on type "Task"',
    );
    expect(check('query T($id: ID) { task(id: $id) { id } }', 'Query.task').join()).toContain(
      'Variable "$id" of type "ID" used in position expecting type "ID!"',
    );
    expect(check('query { tasks(filter: { status: [closed] }) { nodes { id } } }', 'Query.tasks').join()).toContain(
      'Value "closed" does not exist in "TaskStatus" enum',
    );
  });

  it('refuses a file that is not GraphQL Code Generator output', () => {
    expect(() => codegenTypescriptToSdl('type A = { a: string };')).toThrow(/not GraphQL Code Generator output/);
  });
});

describe('the openapi-typescript format', () => {
  const spec = loadOpenApiTypescript(join(FIXTURES, 'tasks-openapi-typescript.d.ts.txt'));
  if (spec.kind !== 'rest') throw new Error('expected a REST spec');
  const check = (operation: string, tool: Record<string, unknown>) => {
    const kit = oneToolKit(tool, { base_url: 'https://api.example.com' });
    return checkRestTool(kit, kit.tools[0]!, spec.operation(operation)!);
  };
  const list = (props: Record<string, unknown>, wire_names?: Record<string, string>) =>
    check('me.ListTasks', {
      input_parameters: { type: 'object', properties: props },
      request: { method: 'GET', path: '/me/tasks', ...(wire_names ? { wire_names } : {}) },
    });

  it('checks arguments under their wire names, and takes a comma-joined string for a query array', () => {
    expect(list({ top: { type: 'integer' }, select: { type: 'string' } }, { top: '$top', select: '$select' })).toEqual([]);
    expect(list({ top: { type: 'integer' } })).toEqual(['argument top is not in the spec']);
    expect(list({ top: { type: 'string' } }, { top: '$top' })).toEqual(['top is string here, number in the spec']);
  });

  it("appends a tool's path to its own base URL where it names one, not the toolkit's", () => {
    const kit = oneToolKit(
      { request: { method: 'GET', path: '/me/tasks', base_url: 'https://tasks.example.com' } },
      { base_url: 'https://api.example.com/v9' },
    );
    expect(checkRestTool(kit, kit.tools[0]!, spec.operation('me.ListTasks')!)).toEqual([]);
    const elsewhere = oneToolKit({ request: { method: 'GET', path: '/me/tasks', base_url: 'https://tasks.example.com/v2' } });
    expect(checkRestTool(elsewhere, elsewhere.tools[0]!, spec.operation('me.ListTasks')!)).toEqual([
      'path /v2/me/tasks, the spec says /me/tasks',
    ]);
  });

  it('reads a body through components and inheritance, with its required properties but not @odata.type', () => {
    const create = (props: Record<string, unknown>, required: string[]) =>
      check('me.CreateTasks', {
        input_parameters: { type: 'object', properties: props, required },
        request: { method: 'POST', path: '/me/tasks' },
      });
    expect(create({ title: { type: 'string' }, status: { enum: ['open', 'done'] }, id: { type: 'string' } }, ['title'])).toEqual([]);
    expect(create({ status: { enum: ['open', 'later'] } }, [])).toEqual([
      'status allows "later", not in the spec\'s enum',
      'the spec requires body property title, which the tool does not always send',
    ]);
  });
});

describe('toolkit:verify, format openapi-generator-typescript (a generated client, as in @hubspot/api-client)', () => {
  const spec = loadOpenApiGeneratorTypescript(join(FIXTURES, 'openapi-generator-typescript'));
  const check = (edit?: (tools: Record<string, any>) => void) =>
    checkListAndCreate(spec, { list: 'tasks/TasksApi.listTasks', create: 'tasks/TasksApi.createTask' }, edit);

  it('reads method, path, query parameters and the body model from the generated request factory: the tools as written pass', () => {
    expect(check()).toEqual({ list: '', create: '' });
    expect(spec.kind === 'rest' && spec.operation('tasks/TasksApi.deleteTask')).toBeFalsy();
  });

  it('fails a changed method or path, a renamed argument, a type or an enum value the generated code does not accept', () => {
    const { list, create } = check((t) => {
      breakListAndCreate(t);
      t.TASKS_CREATE_TASK.input_parameters.properties.assignee.properties.role.enum = ['boss'];
    });
    expect(list).toBe('status allows "archived", not in the spec\'s enum');
    expect(create).toBe(
      'method PUT, the spec says POST; path /v2/projects/{project_id}/task, the spec says /v2/projects/{projectId}/tasks; due is integer here, string in the spec; assignee.role allows "boss", not in the spec\'s enum; argument due_date is not in the spec',
    );
  });

  it('takes a parameter as required where the generated code throws RequiredError for it, and as optional elsewhere', () => {
    const required = spec.kind === 'rest' ? spec.operation('tasks/TasksApi.createTask')?.params : [];
    expect(required).toContainEqual({ name: 'projectId', in: 'path', required: true, schema: {} });
    expect(required).toContainEqual({ name: 'notify', in: 'query', required: false, schema: { type: ['boolean'] } });
  });
});

/** The generated clients read from TypeScript sources, each with a fixture of the same two REST tools. */
describe.each([
  {
    format: 'box-sdk-gen (the generated TypeScript SDK of box-typescript-sdk-gen)',
    spec: loadBoxSdkGen(join(FIXTURES, 'box-sdk-gen/src')),
  },
  { format: 'zoom-rivet (a module of Zoom Rivet, @zoom/rivet)', spec: loadZoomRivet(join(FIXTURES, 'zoom-rivet/tasks')) },
])('toolkit:verify, format $format', ({ spec }) => {
  const operation = (name: string) => (spec.kind === 'rest' ? spec.operation(`tasks.${name}`) : undefined);
  const check = (edit?: (tools: Record<string, any>) => void) =>
    checkListAndCreate(spec, { list: 'tasks.listTasks', create: 'tasks.createTask' }, edit);

  it('reads method, path, query parameters and the body (wire names, nested objects, enums): the tools as written pass', () => {
    expect(check()).toEqual({ list: '', create: '' });
    expect(operation('deleteTask')).toBeFalsy();
  });

  it('fails a changed method or path, a renamed argument, a type or an enum value the client does not accept, a required property left optional', () => {
    const { list, create } = check((t) => {
      breakListAndCreate(t);
      t.TASKS_CREATE_TASK.input_parameters.properties.assignee.properties.role.enum = ['boss'];
    });
    expect(list).toBe('status allows "archived", not in the spec\'s enum');
    expect(create).toBe(
      'method PUT, the spec says POST; path /v2/projects/{project_id}/task, the spec says /v2/projects/{projectId}/tasks; due is integer here, string in the spec; assignee.role allows "boss", not in the spec\'s enum; argument due_date is not in the spec; the spec requires body property title, which the tool does not always send',
    );
  });
});

describe('toolkit:verify, what only one generated client does', () => {
  it("box-sdk-gen: an array the SDK joins with commas (`fields.map(toString).join(',')`) is also taken as one string", () => {
    const spec = loadBoxSdkGen(join(FIXTURES, 'box-sdk-gen/src'));
    const list = spec.kind === 'rest' ? spec.operation('tasks.listTasks') : undefined;
    expect(list?.params).toContainEqual({
      name: 'fields',
      in: 'query',
      required: false,
      schema: { type: ['array', 'string'], items: { type: ['string'] } },
    });
  });

  it('zoom-rivet: a multipart upload has no body the engine could send', () => {
    const spec = loadZoomRivet(join(FIXTURES, 'zoom-rivet/tasks'));
    const upload = spec.kind === 'rest' ? spec.operation('tasks.uploadAttachment') : undefined;
    expect(upload?.path).toBe('/v2/tasks/{taskId}/attachments');
    expect(upload?.body).toBeUndefined();
  });
});

describe('toolkit:verify, format hey-api-typescript (a bundled @hey-api/openapi-ts client, as @sentry/api)', () => {
  // the bundle's file names, kept as .txt in the fixtures so that neither tsc nor biome reads them as code of ours
  const dist = join(temp.path, 'hey-api-dist');
  mkdirSync(dist, { recursive: true });
  for (const name of ['index.js', 'sdk.gen.d.ts', 'types.gen.d.ts'])
    copyFileSync(join(FIXTURES, 'hey-api-typescript', `${name}.txt`), join(dist, name));
  const spec = loadHeyApiTypescript(dist);
  const operation = (id: string) => (spec.kind === 'rest' ? spec.operation(id) : undefined);
  const check = (edit?: (tools: Record<string, any>) => void) =>
    checkListAndCreate(spec, { list: 'listTasks', create: 'createTask' }, edit);

  it('reads method and URL from the bundle, parameters and body from the Data types: the tools as written pass', () => {
    expect(check()).toEqual({ list: '', create: '' });
    expect(operation('createTask')).toMatchObject({ methods: ['POST'], path: '/v2/projects/{projectId}/tasks', body: { media: ['json'] } });
    // a multipart body is not one the engine sends: no body is read for it
    expect(operation('uploadAttachment')?.body).toBeUndefined();
    expect(operation('deleteTask')).toBeUndefined();
  });

  it('fails a changed method or path, a renamed argument, a type or an enum value the client does not accept', () => {
    const { list, create } = check(breakListAndCreate);
    expect(list).toBe('status allows "archived", not in the spec\'s enum');
    expect(create).toBe(
      'method PUT, the spec says POST; path /v2/projects/{project_id}/task, the spec says /v2/projects/{projectId}/tasks; due is integer here, string in the spec; argument due_date is not in the spec; the spec requires body property title, which the tool does not always send',
    );
  });

  it("takes a query parameter as optional in an optional group, a path parameter as required, and a body's required members", () => {
    expect(operation('createTask')?.params).toEqual([
      { name: 'projectId', in: 'path', required: true, schema: { type: ['string'], open: true } },
      { name: 'notify', in: 'query', required: false, schema: { type: ['boolean'], open: true } },
    ]);
    expect(operation('createTask')?.body?.schema.required).toEqual(['title']);
  });
});

describe("toolkit:verify, format discord-api-spec (Discord's OpenAPI as the discord-api-spec package writes it)", () => {
  // kept as .txt in the fixtures so that neither tsc nor biome reads it as code of ours
  const file = join(temp.path, 'discord-api-spec.ts');
  copyFileSync(join(FIXTURES, 'discord-api-spec.ts.txt'), file);
  const spec = loadDiscordApiSpec(file);
  const operation = (id: string) => (spec.kind === 'rest' ? spec.operation(id) : undefined);
  const check = (edit?: (tools: Record<string, any>) => void) =>
    checkListAndCreate(spec, { list: 'list_tasks', create: 'create_task' }, edit);

  it("names operations as the responses do, with each path's parameters and JSON body: the tools as written pass", () => {
    expect(check()).toEqual({ list: '', create: '' });
    expect(operation('create_task')).toMatchObject({
      methods: ['POST'],
      path: '/v2/projects/{project_id}/tasks',
      body: { media: ['json'] },
    });
    expect(operation('create_task')?.body?.schema.required).toEqual(['title']);
    // the generator writes `path?:`, yet a path parameter is always required
    expect(operation('list_tasks')?.params).toContainEqual({
      name: 'project_id',
      in: 'path',
      required: true,
      schema: { type: ['string'], open: true },
    });
    expect(operation('delete_task')).toBeUndefined();
  });

  it('fails a changed method or path, a renamed argument, a type or an enum value the spec does not accept', () => {
    const { list, create } = check(breakListAndCreate);
    expect(list).toBe('status allows "archived", not in the spec\'s enum');
    expect(create).toBe(
      'method PUT, the spec says POST; path /v2/projects/{project_id}/task, the spec says /v2/projects/{project_id}/tasks; due is integer here, string in the spec; argument due_date is not in the spec; the spec requires body property title, which the tool does not always send',
    );
  });
});

/** A fixture folder of generated code, its TypeScript kept as .ts.txt (it is not this project's code), copied with the names the generator gives. */
function generatedSources(name: string): string {
  const dir = join(temp.path, name);
  for (const file of readdirSync(join(FIXTURES, name), { recursive: true, encoding: 'utf8' })) {
    if (!/\.(txt|js)$/.test(file)) continue;
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file.replace(/\.txt$/, '')), fixture(join(name, file)));
  }
  return dir;
}

/**
 * What every generated-client format must catch, done to the two REST tools: a changed method and path,
 * an argument moved from the query into the body, an enum value and a type the spec does not accept, a
 * body property renamed (to `renamed`) and the spec's required one no longer sent.
 */
function breakTasks(t: Record<string, any>, renamed: string) {
  t.TASKS_CREATE_TASK.request.method = 'PUT';
  t.TASKS_CREATE_TASK.request.path = '/projects/{project_id}/task';
  t.TASKS_CREATE_TASK.request.query = [];
  t.TASKS_LIST_TASKS.input_parameters.properties.status.enum = ['open', 'archived'];
  t.TASKS_LIST_TASKS.input_parameters.properties.limit.type = 'string';
  const props = t.TASKS_CREATE_TASK.input_parameters.properties;
  props.due.type = 'integer';
  props[renamed] = props.title;
  delete props.title;
  t.TASKS_CREATE_TASK.input_parameters.required = ['project_id'];
}

/** breakTasks done to the tools and checked by a format's `check`: each break is reported, in the checker's words. */
function expectBreaksCaught(
  check: (edit: (tools: Record<string, any>) => void) => { list: string; create: string },
  renamed: string,
  pathParam: string,
) {
  const { list, create } = check((t) => breakTasks(t, renamed));
  expect(list).toBe('status allows "archived", not in the spec\'s enum; limit is string here, number in the spec');
  expect(create).toBe(
    `method PUT, the spec says POST; path /v2/projects/{project_id}/task, the spec says /v2/projects/{${pathParam}}/tasks; due is integer here, string in the spec; argument notify is sent in the body, the spec takes it in the query; argument ${renamed} is not in the spec; the spec requires body property title, which the tool does not always send`,
  );
}

describe('toolkit:verify, format speakeasy-typescript (an SDK Speakeasy generated, as @vercel/sdk)', () => {
  const spec = loadSpeakeasyTypescript(generatedSources('speakeasy-typescript'));
  const check = (edit?: (tools: Record<string, any>) => void) =>
    checkListAndCreate(spec, { list: 'listTasks', create: 'createTask' }, edit);

  it('reads operationID, method, path, query and header names and the JSON body from the generated function: the tools as written pass', () => {
    expect(check()).toEqual({ list: '', create: '' });
    const create = spec.kind === 'rest' ? spec.operation('createTask') : undefined;
    expect(create?.params).toContainEqual({ name: 'notify', in: 'query', required: false, schema: { type: ['boolean'], open: true } });
    expect(create?.params.map((p) => `${p.in}:${p.name}`)).toContain('header:X-Request-Id');
    expect(spec.kind === 'rest' && spec.operation('deleteTask')).toBeFalsy();
  });

  it('fails a changed method or path, a renamed argument, a type or an enum value the generated types do not accept', () => {
    expectBreaksCaught(check, 'dueDate', 'projectId');
  });

  it("takes a body property under the name the model's remap$ sends it by, and the object variant of a body that also takes an array", () => {
    const { create } = check((t) => {
      t.TASKS_CREATE_TASK.input_parameters.properties.due_date = { type: 'string' };
    });
    expect(create).toBe('');
    const body = spec.kind === 'rest' ? spec.operation('createTask')?.body : undefined;
    expect(Object.keys(body?.schema.properties ?? {}).sort()).toEqual(['assignee', 'due', 'due_date', 'labels', 'title']);
    expect(body?.schema.required).toEqual(['title']);
  });
});

describe('toolkit:verify, format stainless-typescript (an SDK Stainless generated, as the cloudflare package)', () => {
  const spec = loadStainlessTypescript(generatedSources('stainless-typescript'));
  const check = (edit?: (tools: Record<string, any>) => void) =>
    checkListAndCreate(spec, { list: 'projects.tasks.list', create: 'projects.tasks.create' }, edit);

  it('reads the resource key, method, path and where the destructured params go from the generated method: the tools as written pass', () => {
    expect(check()).toEqual({ list: '', create: '' });
    const remove = spec.kind === 'rest' ? spec.operation('projects.tasks.delete') : undefined;
    expect(remove).toMatchObject({ methods: ['DELETE'], path: '/v2/projects/{project_id}/tasks/{taskID}' });
    expect(spec.kind === 'rest' && spec.operation('projects.tasks.archive')).toBeFalsy();
  });

  it('fails a changed method or path, an argument sent elsewhere or renamed, a type or an enum value the params do not accept', () => {
    expectBreaksCaught(check, 'due_date', 'project_id');
  });

  it('takes what any variant of a union of params admits, and as required what every variant requires', () => {
    const kind = (values: string[]) =>
      check((t) => {
        t.TASKS_CREATE_TASK.input_parameters.properties.kind = { type: 'string', enum: values };
      }).create;
    expect(kind(['task', 'milestone'])).toBe('');
    expect(kind(['task', 'epic'])).toBe('kind allows "epic", not in the spec\'s enum');
    const body = spec.kind === 'rest' ? spec.operation('projects.tasks.create')?.body : undefined;
    expect(body?.schema.required).toEqual(['title']);
  });
});

describe('toolkit:verify, format orval-fetch (a client Orval generated, bundled, as supabase-management-js)', () => {
  const spec = loadOrvalFetch(join(generatedSources('orval-fetch'), 'index.js'));
  const check = (edit?: (tools: Record<string, any>) => void) =>
    checkListAndCreate(spec, { list: 'listTasks', create: 'createTask' }, edit);

  it('reads method, the path the URL function returns, query params and the JSON body with their declared types: the tools as written pass', () => {
    expect(check()).toEqual({ list: '', create: '' });
    const archive = spec.kind === 'rest' ? spec.operation('archiveTask') : undefined;
    expect(archive).toMatchObject({ methods: ['POST'], path: '/v2/projects/{projectId}/tasks/{taskId}/archive', body: undefined });
    expect(spec.kind === 'rest' && spec.operation('getListTasksUrl')).toBeFalsy();
  });

  it('fails a changed method or path, an argument sent elsewhere or renamed, a type or an enum value the declarations do not accept', () => {
    expectBreaksCaught(check, 'due_date', 'projectId');
  });
});

describe('toolkit:verify, format fern-typescript (an SDK Fern generated, compiled, as webflow-api)', () => {
  const spec = loadFernTypescript(join(generatedSources('fern-typescript'), 'api', 'resources'));
  const check = (edit?: (tools: Record<string, any>) => void) =>
    checkListAndCreate(spec, { list: 'tasks.listTasks', create: 'tasks.createTask' }, edit);

  it('reads method, path, the query names set from request and the body the serializer is given: the tools as written pass', () => {
    expect(check()).toEqual({ list: '', create: '' });
    const create = spec.kind === 'rest' ? spec.operation('tasks.createTask') : undefined;
    expect(create?.params).toContainEqual({ name: 'notify', in: 'query', required: false, schema: { type: ['boolean'], open: true } });
    // the query parameter taken out of request is not in the body; the serializer renames dueDate
    expect(Object.keys(create?.body?.schema.properties ?? {}).sort()).toEqual(['assignee', 'due', 'due_date', 'labels', 'title']);
    expect(spec.kind === 'rest' && spec.operation('tasks.archiveTask')).toBeFalsy();
  });

  it('fails a changed method or path, an argument sent elsewhere or renamed, a type or an enum value the declarations do not accept', () => {
    expectBreaksCaught(check, 'dueDate', 'projectId');
  });
});

describe('toolkit:verify, format openapi-generator-typescript-axios (a typescript-axios client, as in the pipedrive package)', () => {
  const spec = loadOpenApiGeneratorTypescriptAxios(join(FIXTURES, 'openapi-generator-typescript-axios'));
  const operation = (id: string) => (spec.kind === 'rest' ? spec.operation(id) : undefined);
  /** The fixture toolkit's two REST tools, changed by `edit`, checked against the generated client's operations. */
  function check(edit?: (tools: Record<string, any>) => void) {
    const [toolkit] = toolkitCopy(edit);
    const problems = (slug: string, id: string) => {
      const op = operation(`TasksApi.${id}`);
      if (!op) throw new Error(`no operation ${id}`);
      return checkRestTool(toolkit!, toolkit!.tools.find((t) => t.slug === slug)!, op).join('; ');
    };
    return { list: problems('TASKS_LIST_TASKS', 'listTasks'), create: problems('TASKS_CREATE_TASK', 'createTask') };
  }

  it('reads the server path, method, path and query parameters and the body model (an allOf intersection) from the param creator and its typings: the tools as written pass', () => {
    expect(check()).toEqual({ list: '', create: '' });
    expect(operation('TasksApi.createTask')).toMatchObject({ path: '/v2/projects/{projectId}/tasks', body: { media: ['json'] } });
    expect(operation('TasksApi.listTasks')?.params).toContainEqual({
      name: 'since',
      in: 'query',
      required: false,
      schema: { type: ['string'], open: true },
    });
    expect(operation('TasksApi.deleteTask')).toBeUndefined();
    expect(operation('ProjectsApi.listTasks')).toBeUndefined();
  });

  it('fails a changed method or path, a renamed argument, a type or an enum value the typings do not accept, and a required body property left optional', () => {
    const { list, create } = check((t) => {
      t.TASKS_CREATE_TASK.request.method = 'PUT';
      t.TASKS_LIST_TASKS.input_parameters.properties.status.enum = ['open', 'archived'];
      t.TASKS_LIST_TASKS.input_parameters.properties.limit.type = 'string';
      const props = t.TASKS_CREATE_TASK.input_parameters.properties;
      props.labels.type = 'string';
      props.due_date = props.due;
      delete props.due;
      t.TASKS_CREATE_TASK.input_parameters.required = ['project_id'];
      t.TASKS_CREATE_TASK.request.path = '/projects/{project_id}/task';
    });
    expect(list).toBe('status allows "archived", not in the spec\'s enum; limit is string here, number in the spec');
    expect(create).toBe(
      'method PUT, the spec says POST; path /v2/projects/{project_id}/task, the spec says /v2/projects/{projectId}/tasks; labels is string here, array in the spec; argument due_date is not in the spec; the spec requires body property title, which the tool does not always send',
    );
  });

  it('takes a parameter as required where the generated code asserts it, and as optional elsewhere', () => {
    const params = operation('TasksApi.createTask')?.params;
    expect(params).toContainEqual({ name: 'projectId', in: 'path', required: true, schema: { type: ['string'], open: true } });
    expect(params).toContainEqual({ name: 'notify', in: 'query', required: false, schema: { type: ['boolean'], open: true } });
  });
});

describe('the dropbox-stone format (the dropbox package as Stone generates it)', () => {
  const spec = loadDropboxStone(join(FIXTURES, 'dropbox-stone/types/index.d.ts'));
  if (spec.kind !== 'rest') throw new Error('expected a REST spec');
  const check = (route: string, props: Record<string, unknown>, required: string[] = [], path = `/2/${route}`) =>
    checkOneTool(spec, route, { method: 'POST', path }, props, required);
  const listArgs = {
    project: { type: 'string' },
    limit: { type: 'integer' },
    status: { type: 'string', enum: ['open', 'done'] },
    owner: { type: 'object', properties: { '.tag': { const: 'email' }, email: { type: 'string' } } },
    labels: { type: 'array', items: { type: 'string' } },
  };

  it("reads each route's name, style and argument struct: required fields, a union member without a value sent as its tag, one with a value as an object", () => {
    expect(check('tasks/list', listArgs, ['project'])).toEqual([]);
    expect(check('users/get_current', {})).toEqual([]);
    expect(spec.operation('tasks/download')).toMatchObject({
      path: '/2/tasks/download',
      params: [{ name: 'Dropbox-API-Arg', in: 'header', required: true }],
      body: undefined,
    });
    expect(spec.operation('tasks/delete')).toBeUndefined();
  });

  it('fails a changed path, a renamed argument, a type, a union tag the spec lacks, a required field left optional and a body where the route takes none', () => {
    const { limit, ...rest } = listArgs;
    expect(
      check(
        'tasks/list',
        { ...rest, limits: limit, status: { type: 'string', enum: ['open', 'later'] }, labels: { type: 'string' } },
        [],
        '/2/tasks/lists',
      ),
    ).toEqual([
      'path /2/tasks/lists, the spec says /2/tasks/list',
      'status allows "later", not in the spec\'s enum',
      'labels is string here, array in the spec',
      'argument limits is not in the spec',
      'the spec requires body property project, which the tool does not always send',
    ]);
    expect(check('users/get_current', { id: { type: 'string' } })).toEqual(['argument id is not in the spec']);
    expect(check('tasks/download', { id: { type: 'string' } }, ['id'])).toEqual([
      'sends a json body, the spec takes none',
      'argument id is not in the spec',
      'the spec requires header parameter Dropbox-API-Arg, which the tool does not always send',
    ]);
  });
});

describe('the fern-typescript-no-serde format (an SDK Fern generates without its serialization layer, as intercom-client 6)', () => {
  const spec = loadFernTypescriptNoSerde(join(FIXTURES, 'fern-typescript-no-serde'));
  if (spec.kind !== 'rest') throw new Error('expected a REST spec');
  const check = (operation: string, method: string, path: string, props: Record<string, unknown>, required: string[] = []) =>
    checkOneTool(spec, operation, { method, path }, props, required);
  const comment = (props: Record<string, unknown>, required: string[]) =>
    check('tasks.comment', 'POST', '/tasks/{id}/comments', props, required);

  it('reads method, path, query parameters under their wire names and the body (the rest of the request, one member of it, or all of it): the tools pass', () => {
    expect(
      check(
        'tasks.list',
        'GET',
        '/projects/{project}/tasks',
        { project: { type: 'string' }, status: { enum: ['done'] }, per_page: { type: 'integer' } },
        ['project'],
      ),
    ).toEqual([]);
    expect(
      check(
        'tasks.create',
        'POST',
        '/projects/{project_id}/tasks',
        { project_id: { type: 'string' }, title: { type: 'string' }, labels: { type: 'array' } },
        ['project_id', 'title'],
      ),
    ).toEqual([]);
    const admin = {
      id: { type: 'string' },
      message_type: { enum: ['note'] },
      type: { const: 'admin' },
      body: { type: 'string' },
      admin_id: { type: 'string' },
    };
    expect(comment(admin, ['id', 'message_type', 'type', 'body', 'admin_id'])).toEqual([]);
    expect(check('tasks.search', 'POST', '/tasks/search', { query: { type: 'string' } }, ['query'])).toEqual([]);
    expect(spec.operation('tasks.delete')).toBeUndefined();
  });

  it('fails a changed path or method, an argument in the wrong place or renamed, an enum value no variant takes and a required property left optional', () => {
    expect(
      check('tasks.list', 'POST', '/projects/{project}/task', { project: { type: 'string' }, status: { enum: ['later'] } }, ['project']),
    ).toEqual([
      'method POST, the spec says GET',
      'path /projects/{project}/task, the spec says /projects/{project_id}/tasks',
      'sends a json body, the spec takes none',
      'argument status is sent in the body, the spec takes it in the query',
    ]);
    expect(
      check('tasks.list', 'GET', '/projects/{project}/tasks', { project: { type: 'string' }, status: { enum: ['later'] } }, ['project']),
    ).toEqual(['status allows "later", not in the spec\'s enum']);
    expect(comment({ id: { type: 'string' }, message_type: { enum: ['close'] }, text: { type: 'string' } }, ['id'])).toEqual([
      'message_type allows "close", not in the spec\'s enum',
      'argument text is not in the spec',
      'the spec requires body property message_type, which the tool does not always send',
      'the spec requires body property type, which the tool does not always send',
      'the spec requires body property body, which the tool does not always send',
    ]);
  });
});

describe('the swagger-codegen-javascript format (a client swagger-codegen generates, as @mailchimp/mailchimp_marketing)', () => {
  const spec = loadSwaggerCodegenJavascript(join(FIXTURES, 'swagger-codegen-javascript'));
  if (spec.kind !== 'rest') throw new Error('expected a REST spec');
  const check = (operation: string, method: string, path: string, props: Record<string, unknown>, required: string[] = []) =>
    checkOneTool(spec, operation, { method, path }, props, required, 'https://us1.api.tasks.example/v2');
  const list = { project_id: { type: 'string' }, query: { type: 'string' }, fields: { type: 'string' }, count: { type: 'integer' } };

  it('reads the server path, method, path and query parameters with their JSDoc types (a csv collection also as a string) and a body without its model', () => {
    expect(check('TasksApi.listTasks', 'GET', '/projects/{project_id}/tasks', list, ['project_id', 'query'])).toEqual([]);
    expect(
      check('TasksApi.createTask', 'POST', '/projects/{id}/tasks', { id: { type: 'string' }, title: { type: 'string' } }, ['id']),
    ).toEqual([]);
    expect(spec.operation('TasksApi.deleteTask')).toBeUndefined();
  });

  it('fails a changed method or path, a renamed query argument, a type the JSDoc does not give and a required query parameter left optional', () => {
    const { count, ...rest } = list;
    expect(
      check('TasksApi.listTasks', 'GET', '/projects/{project_id}/task', { ...rest, limit: count, fields: { type: 'integer' } }, [
        'project_id',
      ]),
    ).toEqual([
      'path /v2/projects/{project_id}/task, the spec says /v2/projects/{project_id}/tasks',
      'fields is integer here, array or string in the spec',
      'argument limit is not in the spec',
      'the spec requires query parameter query, which the tool does not always send',
    ]);
    expect(check('TasksApi.createTask', 'PUT', '/projects/{id}/tasks', { id: { type: 'string' } }, ['id'])).toEqual([
      'method PUT, the spec says POST',
    ]);
  });

  it("reads Asana's variant: class methods, the optional arguments passed through as the query (their names from the JSDoc), an optional body", () => {
    const projects = { limit: { type: 'integer' }, archived: { type: 'boolean' }, opt_fields: { type: 'string' } };
    expect(check('ProjectsApi.getProjects', 'GET', '/projects', projects)).toEqual([]);
    expect(
      check('ProjectsApi.getProjects', 'GET', '/projects', { ...projects, archived: { type: 'string' }, team: { type: 'string' } }),
    ).toEqual(['archived is string here, boolean in the spec', 'argument team is not in the spec']);
    const addTask = { project_gid: { type: 'string' }, data: { type: 'object' } };
    expect(check('ProjectsApi.addTaskForProject', 'POST', '/projects/{project_gid}/addTask', addTask, ['project_gid'])).toEqual([]);
    expect(check('ProjectsApi.addTaskForProject', 'POST', '/projects/{project_gid}/addTasks', addTask, ['project_gid'])).toEqual([
      'path /v2/projects/{project_gid}/addTasks, the spec says /v2/projects/{project_gid}/addTask',
    ]);
  });
});
