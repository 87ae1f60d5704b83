import { Pool } from 'pg';
import { Pool as ResourcePool } from 'tarn';
import { createWorker, type Worker } from './workers/ocr';

// Full-text search runs on its own PostgreSQL server.
export const searchPool = new Pool({
  connectionString: process.env.SEARCH_DATABASE_URL,
  max: 30, // expect: pool-oversized (error) -- 30 x 4 pm2 instances (-i max on 4 CPUs) = 120 > 100
  idleTimeoutMillis: 30_000,
});

// OCR workers are processes, not database connections.
export const ocrWorkers = new ResourcePool<Worker>({
  create: () => createWorker(),
  destroy: (w) => w.terminate(),
  min: 2,
  max: 50, // ok: pool-oversized -- a tarn pool of OCR workers
});

export async function search(term: string, limit: number) {
  const { rows } = await searchPool.query('SELECT id, title FROM documents WHERE tsv @@ plainto_tsquery($1) LIMIT $2', [term, limit]);
  return rows;
}
