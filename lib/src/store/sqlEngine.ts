/**
 * The embedded analytical engine (DuckDB through @duckdb/node-api) for the set-level work over the
 * feature store that is SQL by nature. It is loaded on first use only, so commands that never run a
 * SQL job do not pay for the native module.
 *
 * Everything engine-specific lives here and in storeView.ts; the jobs in store/jobs/ are plain SQL
 * over the portable `videos` view, so the same statements run on a cluster engine (Spark SQL) over
 * the partitioned Parquet store.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { VigilError } from '../util/errors.js';

export type SqlRow = Record<string, unknown>;

/** One column of a small table handed to the engine (e.g. leakage groups computed in TypeScript). */
export type SqlColumn = { name: string; type: 'BIGINT' | 'DOUBLE' | 'VARCHAR'; values: ArrayLike<number> | ArrayLike<string> };

export class SqlEngine {
  private constructor(private instance: DuckDBInstance, private conn: DuckDBConnection) {}

  /**
   * An in-memory engine; `threads` bounds its CPU use (the shared machine has few cores). Without
   * `memoryLimitMb` the engine may take most of the machine's memory (its default is 80%); with it,
   * operators that outgrow the limit spill to `spillDir`.
   */
  static async open(opts: { threads?: number; memoryLimitMb?: number; spillDir?: string } = {}): Promise<SqlEngine> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const duck = require('@duckdb/node-api') as typeof import('@duckdb/node-api');
    const instance = await duck.DuckDBInstance.create(':memory:', {
      threads: String(opts.threads ?? 2),
      ...(opts.memoryLimitMb ? { memory_limit: `${opts.memoryLimitMb}MB` } : {}),
      ...(opts.spillDir ? { temp_directory: opts.spillDir } : {}),
    });
    return new SqlEngine(instance, await instance.connect());
  }

  async run(sql: string): Promise<void> {
    try { await this.conn.run(sql); } catch (e) { throw sqlError(sql, e); }
  }

  /** Rows as plain objects; BIGINT/HUGEINT values become numbers (exact below 2^53). */
  async query(sql: string): Promise<SqlRow[]> {
    let rows: SqlRow[];
    try { rows = (await this.conn.runAndReadAll(sql)).getRowObjects() as SqlRow[]; } catch (e) { throw sqlError(sql, e); }
    for (const r of rows) for (const k of Object.keys(r)) if (typeof r[k] === 'bigint') r[k] = Number(r[k]);
    return rows;
  }

  /** Create (or replace) table `name` from equally long columns through the bulk appender. */
  async createTable(name: string, cols: SqlColumn[]): Promise<void> {
    const n = cols[0]?.values.length ?? 0;
    for (const c of cols) {
      if (c.values.length !== n) throw new VigilError(`table '${name}': column '${c.name}' has ${c.values.length} values, expected ${n}`, { field: c.name });
    }
    await this.run(`CREATE OR REPLACE TABLE ${name} (${cols.map((c) => `${c.name} ${c.type}`).join(', ')})`);
    const app = await this.conn.createAppender(name);
    for (let i = 0; i < n; i++) {
      for (const c of cols) {
        const v = c.values[i];
        if (c.type === 'BIGINT') app.appendBigInt(BigInt(v as number));
        else if (c.type === 'DOUBLE') app.appendDouble(v as number);
        else app.appendVarchar(v as string);
      }
      app.endRow();
    }
    app.closeSync();
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

function sqlError(sql: string, e: unknown): VigilError {
  const first = sql.trim().split('\n')[0].slice(0, 120);
  return new VigilError(`SQL engine: ${String((e as Error).message ?? e)} (in: ${first})`, { field: 'sql' });
}
