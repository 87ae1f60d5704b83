import express, { type NextFunction, type Request, type Response } from 'express';
import { connectMongo, pg } from './db';
import { billing } from './legacy/billing';
import { apiLimiter, limitPartners, limitUploads, signInLimiter } from './ratelimit';
import { notifications } from './routes/notifications';
import { users } from './routes/users';

const app = express();
app.set('trust proxy', 1);
app.use(express.json({ limit: '1mb' }));
app.use('/api', apiLimiter);

app.post('/auth/sign-in', signInLimiter, async (req: Request, res: Response) => {
  const { rows } = await pg.query('SELECT id, password_hash FROM users WHERE email = $1', [req.body.email]);
  res.json({ found: rows.length === 1 });
});

app.post('/api/uploads', limitUploads(20), (_req: Request, res: Response) => { // ok: in-memory-rate-limiter -- the Map in ratelimit.ts is the finding
  res.sendStatus(202);
});

app.use('/api/users', users);
app.use('/api/notifications', notifications);
app.use('/api/billing', billing);
app.use('/partner', limitPartners, users);

app.get('/healthz', async (_req: Request, res: Response) => {
  await pg.query('SELECT 1');
  res.json({ status: 'ok' });
});

app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
  console.error(err);
  res.status(500).json({ error: 'internal error' });
});

connectMongo()
  .then(() => app.listen(Number(process.env.PORT ?? 3000), () => console.log('accounts api listening')))
  .catch((err) => {
    console.error('startup failed', err);
    process.exit(1);
  });
