import { type NextFunction, type Request, type Response, Router } from 'express';
import { mongoDb, pg, prisma } from '../db';

export const activity = Router();

// Every API call, for the support team's audit view.
activity.use(async (req: Request, res: Response, next: NextFunction) => {
  const started = Date.now();
  res.on('finish', () => {
    void mongoDb.collection('request_log').insertOne({ // expect: per-request-db-write
      method: req.method,
      path: req.originalUrl,
      status: res.statusCode,
      ms: Date.now() - started,
      at: new Date(),
    });
    if (res.statusCode >= 500) {
      void mongoDb.collection('failed_requests').insertOne({ path: req.originalUrl, status: res.statusCode }); // ok: per-request-db-write -- error responses only
    }
  });
  next();
});

// Marks the API key as used; the partner router mounts it before its routes.
export async function touchApiKey(req: Request, _res: Response, next: NextFunction): Promise<void> {
  const key = req.header('x-api-key');
  if (key) {
    await pg.query('UPDATE api_keys SET last_used_at = now() WHERE key = $1', [key]); // expect: per-request-db-write
  }
  next();
}

// Loads the session: a read on every request, not a write.
activity.use(async (req: Request, res: Response, next: NextFunction) => {
  const sid = req.header('x-session-id');
  if (sid) {
    res.locals.session = await mongoDb.collection('sessions').findOne({ sid }); // ok: per-request-db-write, missing-index -- a read
  }
  next();
});

// One request in fifty for the latency dashboard.
activity.use((req: Request, res: Response, next: NextFunction) => {
  const started = Date.now();
  res.on('finish', () => {
    if (Math.random() < 0.02) {
      void prisma.requestTiming.create({ data: { path: req.path, ms: Date.now() - started } }); // ok: per-request-db-write -- sampled
    }
  });
  next();
});

// Page views go to a buffer that a timer flushes with one insertMany a second.
const pageViews: { path: string; at: Date }[] = [];

activity.use((req: Request, _res: Response, next: NextFunction) => {
  if (pageViews.length < 5000) pageViews.push({ path: req.path, at: new Date() }); // ok: per-request-db-write -- in memory
  next();
});

setInterval(() => {
  if (pageViews.length === 0) return;
  const batch = pageViews.splice(0, pageViews.length);
  void mongoDb.collection('page_views').insertMany(batch, { ordered: false }); // ok: per-request-db-write -- one batch a second
}, 1000).unref();

// Errors are recorded by the error handler, which runs only when a request failed.
activity.use((err: Error, req: Request, res: Response, _next: NextFunction) => {
  void mongoDb.collection('errors').insertOne({ path: req.path, message: err.message }); // ok: per-request-db-write -- error handler
  res.status(500).json({ error: 'internal error' });
});

activity.post('/activity/notes', async (req: Request, res: Response) => {
  const note = await prisma.activityNote.create({ data: { body: String(req.body.body) } }); // ok: per-request-db-write -- the route's own write
  res.status(201).json(note);
});
