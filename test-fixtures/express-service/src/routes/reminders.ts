import { Router, type Request, type Response } from 'express';
import { Queue } from 'bullmq';
import { redis } from '../db';

/** One delayed job per reminder, in its own queue. */
export const reminderQueue = new Queue('reminders', { connection: redis });

export const reminders = Router();

reminders.post('/', async (req: Request, res: Response) => {
  const userId = String(req.body.userId);
  const job = await reminderQueue.add('remind', { userId, text: String(req.body.text) }, { delay: Number(req.body.delayMs) });
  res.status(201).json({ id: job.id });
});

reminders.get('/:id', async (req: Request, res: Response) => {
  const job = await reminderQueue.getJob(req.params.id); // ok: scheduler-job-scan
  if (!job) {
    res.sendStatus(404);
    return;
  }
  res.json({ id: job.id, data: job.data, delay: job.delay });
});

reminders.delete('/user/:userId', async (req: Request, res: Response) => {
  const pending = await reminderQueue.getJobs(['delayed', 'waiting']); // expect: scheduler-job-scan (error)
  const mine = pending.filter((job) => job.data.userId === req.params.userId);
  for (const job of mine) await job.remove();
  res.sendStatus(204);
});

reminders.get('/admin/failed', async (_req: Request, res: Response) => {
  const failed = await reminderQueue.getJobs(['failed'], 0, 99); // ok: scheduler-job-scan -- a listing, no search
  res.json(failed.map((job) => ({ id: job.id, reason: job.failedReason })));
});
