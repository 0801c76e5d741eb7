import pg from 'pg';

/** What a stored job is: running (restored by the next start), or stopped with its positions kept. */
export type StoredStatus = 'RUNNING' | 'STOPPED' | 'FINISHED' | 'FAILED';

/** A submitted job as the instance keeps it: enough to plan and run it again after a restart. */
export interface StoredJob {
  readonly id: string;
  /** The job's name (`insert-into_…`), which names its positions. */
  readonly name: string;
  /** The script as submitted: its name (a file path), its text and its `-D` values. */
  readonly file: string;
  readonly script: string;
  readonly variables: ReadonlyMap<string, string>;
  /** Who submitted it: `rivulet sql` (or POST /sql), or `rivulet up --example`. */
  readonly origin: 'sql' | 'example';
  readonly status: StoredStatus;
  /** The script's directory: its functions' modules are loaded from there again at a restart. */
  readonly directory: string;
}

/**
 * What the positions of a job name stand for: the shape of the plan that wrote them (see
 * stateShape), and their generation, which a start from scratch moves on so that the earlier
 * positions are no longer read. Kept after the job is cancelled: its positions stay in the log.
 */
export interface Lineage {
  readonly generation: number;
  readonly shape: readonly string[];
}

/** Where an engine keeps its jobs across restarts, as Flink's HA services keep job graphs. */
export interface JobStore {
  jobs(): Promise<StoredJob[]>;
  save(job: StoredJob): Promise<void>;
  setStatus(id: string, status: StoredStatus): Promise<void>;
  /** A cancelled job is forgotten. */
  remove(id: string): Promise<void>;
  lineage(name: string): Promise<Lineage | undefined>;
  saveLineage(name: string, lineage: Lineage): Promise<void>;
  /** Whether the example of this folder was submitted once already (then its jobs are restored, not submitted again). */
  exampleSubmitted(folder: string): Promise<boolean>;
  markExampleSubmitted(folder: string): Promise<void>;
  close(): Promise<void>;
}

const SCHEMA = 'rivulet_engine';

/** The store in a database of the instance (the embedded server's `rivulet`), schema `rivulet_engine`. */
export class PostgresJobStore implements JobStore {
  private closing: Promise<void> | undefined;

  private constructor(private readonly pool: pg.Pool) {}

  static async open(url: string): Promise<PostgresJobStore> {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    pool.on('error', () => undefined);
    try {
      await pool.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA};
        CREATE TABLE IF NOT EXISTS ${SCHEMA}.jobs (
          id           text PRIMARY KEY,
          name         text NOT NULL,
          file         text NOT NULL,
          script       text NOT NULL,
          variables    jsonb NOT NULL,
          origin       text NOT NULL,
          status       text NOT NULL,
          submitted_at timestamptz NOT NULL DEFAULT now(),
          updated_at   timestamptz NOT NULL DEFAULT now()
        );
        ALTER TABLE ${SCHEMA}.jobs ADD COLUMN IF NOT EXISTS directory text;
        CREATE TABLE IF NOT EXISTS ${SCHEMA}.lineage (
          name       text PRIMARY KEY,
          generation int NOT NULL,
          shape      jsonb NOT NULL
        );
        CREATE TABLE IF NOT EXISTS ${SCHEMA}.examples (folder text PRIMARY KEY);`);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresJobStore(pool);
  }

  async jobs(): Promise<StoredJob[]> {
    const { rows } = await this.pool.query<{
      id: string;
      name: string;
      file: string;
      script: string;
      variables: Record<string, string>;
      origin: StoredJob['origin'];
      status: StoredStatus;
      directory: string | null;
    }>(
      `SELECT id, name, file, script, variables, origin, status, directory FROM ${SCHEMA}.jobs ORDER BY submitted_at, id`,
    );
    // A job stored before functions existed had none to load: the working directory serves.
    return rows.map((row) => ({
      ...row,
      variables: new Map(Object.entries(row.variables)),
      directory: row.directory ?? process.cwd(),
    }));
  }

  async save(job: StoredJob): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${SCHEMA}.jobs (id, name, file, script, variables, origin, status, directory) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, file = EXCLUDED.file, script = EXCLUDED.script,
         variables = EXCLUDED.variables, status = EXCLUDED.status, directory = EXCLUDED.directory, updated_at = now()`,
      [
        job.id,
        job.name,
        job.file,
        job.script,
        JSON.stringify(Object.fromEntries(job.variables)),
        job.origin,
        job.status,
        job.directory,
      ],
    );
  }

  async setStatus(id: string, status: StoredStatus): Promise<void> {
    await this.pool.query(`UPDATE ${SCHEMA}.jobs SET status = $2, updated_at = now() WHERE id = $1`, [id, status]);
  }

  async remove(id: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${SCHEMA}.jobs WHERE id = $1`, [id]);
  }

  async lineage(name: string): Promise<Lineage | undefined> {
    const { rows } = await this.pool.query<{ generation: number; shape: string[] }>(
      `SELECT generation, shape FROM ${SCHEMA}.lineage WHERE name = $1`,
      [name],
    );
    return rows[0];
  }

  async saveLineage(name: string, lineage: Lineage): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${SCHEMA}.lineage (name, generation, shape) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET generation = EXCLUDED.generation, shape = EXCLUDED.shape`,
      [name, lineage.generation, JSON.stringify(lineage.shape)],
    );
  }

  async exampleSubmitted(folder: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`SELECT 1 FROM ${SCHEMA}.examples WHERE folder = $1`, [folder]);
    return (rowCount ?? 0) > 0;
  }

  async markExampleSubmitted(folder: string): Promise<void> {
    await this.pool.query(`INSERT INTO ${SCHEMA}.examples (folder) VALUES ($1) ON CONFLICT DO NOTHING`, [folder]);
  }

  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }
}
