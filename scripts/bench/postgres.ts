// The PostgreSQL column of `npm run bench`: the same tool call through latchkey on PostgreSQL against
// latchkey on SQLite in the same run, two processes on one database, and the lookups as the accounts
// table grows. The cluster is a throwaway one on loopback (test/helpers/postgres.ts: fsync off, which
// a read-only tool call never waits on anyway).
import { existsSync } from 'node:fs';
import pg from 'pg';
import { buildDeps } from '../../src/bootstrap.ts';
import { parseConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { freePort } from '../../test/helpers/free-port.ts';
import { POSTGRES_BIN, startCluster } from '../../test/helpers/postgres.ts';
import { fmt, latencies, latency, ratio, throughput, type Latency } from './measure.ts';
import { SERVER_NODE_ARGS, startProcess, type BenchProcess } from './processes.ts';
import { seedAccounts } from './seed.ts';

export interface PostgresBench {
  /** the SQLite run's environment: the PostgreSQL processes share its key ring, toolkits and API key */
  env: Record<string, string>;
  apiKey: string;
  logDir: string;
  /** the SQLite latchkey's tool call, the baseline */
  sqliteCall: () => Promise<void>;
  /** a tool call on an MCP URL with its headers */
  callTool: (url: string, headers: Record<string, string>) => () => Promise<void>;
  sizes: { n: number; rounds: number; windowMs: number; warmMs: number; accountLevels: number[] };
  out: (line: string) => void;
}

export async function postgresSection(bench: PostgresBench): Promise<void> {
  const { out, sizes } = bench;
  out('## PostgreSQL: the same tool call with the data in PostgreSQL 15, against SQLite in this run');
  if (!existsSync(`${POSTGRES_BIN}/initdb`)) {
    out(`PostgreSQL 15 is not installed (Debian package \`postgresql\`, ${POSTGRES_BIN}): no PostgreSQL figures in this run.`);
    return;
  }
  const cluster = await startCluster();
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  await admin.query('create database latchkey_bench');
  await admin.end();
  const url = cluster.adminUrl.replace(/\/postgres$/, '/latchkey_bench');
  const processes: BenchProcess[] = [];
  const start = async (name: string) => {
    const port = await freePort();
    const env = { ...bench.env, PORT: String(port), LATCHKEY_PUBLIC_URL: `http://127.0.0.1:${port}`, LATCHKEY_DATABASE_URL: url };
    const server = await startProcess('src/main.ts', env, {
      nodeArgs: SERVER_NODE_ARGS,
      logFile: `${bench.logDir}/${name}.log`,
      probeUrl: `http://127.0.0.1:${port}/health`,
      url: `http://127.0.0.1:${port}`,
    });
    processes.push(server);
    return { server, env };
  };
  try {
    const first = await start('latchkey-postgres-1');
    const api = async (path: string, body: unknown) => {
      const res = await fetch(`${first.server.url}${path}`, {
        method: 'POST',
        headers: { 'x-api-key': bench.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as any;
      if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    const config = await api('/api/v3.1/auth_configs', { toolkit: { slug: 'benchapi' } });
    await api('/api/v3.1/connected_accounts', {
      auth_config: { id: config.auth_config.id },
      connection: { user_id: 'bench', state: { authScheme: 'BEARER_TOKEN', val: { token: 'bench-token' } } },
    });
    const session = await api('/api/v3.1/tool_router/session', { user_id: 'bench', toolkits: ['benchapi'], preload: { tools: 'all' } });
    const path = new URL(session.mcp.url).pathname;
    const second = await start('latchkey-postgres-2');
    const onFirst = bench.callTool(`${first.server.url}${path}`, session.mcp.headers);
    const onSecond = bench.callTool(`${second.server.url}${path}`, session.mcp.headers);
    // the load of 16 clients spread over both processes, as a load balancer would
    let turn = 0;
    const onBoth = () => (turn++ % 2 === 0 ? onFirst() : onSecond());
    for (const warm of [bench.sqliteCall, onFirst, onSecond]) await throughput(16, sizes.warmMs, warm);
    const lat = await latencies(sizes.n, sizes.rounds, { sqlite: bench.sqliteCall, postgres: onFirst });
    const sqliteRate = await throughput(16, sizes.windowMs, bench.sqliteCall);
    const postgresRate = await throughput(16, sizes.windowMs, onFirst);
    const twoRate = await throughput(16, sizes.windowMs, onBoth);
    out('| database | tool call median ms | p99 ms | median vs SQLite (1 client) | calls/s (16 clients) | rate vs SQLite |');
    out('|---|---|---|---|---|---|');
    out(`| SQLite, one process | ${fmt(lat.sqlite.median)} | ${fmt(lat.sqlite.p99)} | 1.00x | ${fmt(sqliteRate, 0)} | 1.00 |`);
    out(
      `| PostgreSQL, one process | ${fmt(lat.postgres.median)} | ${fmt(lat.postgres.p99)} | ${ratio(lat.postgres.median, lat.sqlite.median)} | ${fmt(postgresRate, 0)} | ${fmt(postgresRate / sqliteRate)} |`,
    );
    out(`| PostgreSQL, two processes on one database | | | | ${fmt(twoRate, 0)} | ${fmt(twoRate / sqliteRate)} |`);
    out('');

    // lookups as the table grows: other users' accounts, seeded straight into the database
    const { deps, storage } = await buildDeps(parseConfig(first.env), createLogger('silent'));
    const growth: Array<{ accounts: number; call: Latency }> = [];
    let seeded = 0;
    for (const level of sizes.accountLevels) {
      await seedAccounts(deps, level - seeded, seeded, 'benchapi', config.auth_config.id);
      seeded = level;
      // what autovacuum does after a bulk load, so the planner knows the table's size
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query('analyze connected_accounts');
      await client.end();
      await throughput(16, sizes.warmMs / 4, onFirst);
      growth.push({ accounts: level, call: await latency(sizes.n * 3, onFirst) });
    }
    await storage.close();
    out('| accounts in PostgreSQL | tool call median ms | p99 ms | vs the first row |');
    out('|---|---|---|---|');
    for (const row of growth)
      out(
        `| ${row.accounts.toLocaleString('en-US')} | ${fmt(row.call.median)} | ${fmt(row.call.p99)} | ${ratio(row.call.median, growth[0]!.call.median)} |`,
      );
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await cluster.stop();
  }
}
