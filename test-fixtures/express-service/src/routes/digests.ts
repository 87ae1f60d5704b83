import { Router, type Request, type Response } from 'express';
import pLimit from 'p-limit';
import { chunk, deliverWebhook, loadSegmentDevices, loadSubscribers, pingPushGateway, sendPush } from '../push';

export const digests = Router();

// At most twenty pushes in flight per process.
const pushLimit = pLimit(20);

digests.post('/push/:segment', async (req: Request, res: Response) => {
  const devices = await loadSegmentDevices(req.params.segment);
  const results = await Promise.allSettled(devices.map((d) => sendPush(d.token, String(req.body.message)))); // expect: unbounded-fan-out
  res.json({ sent: results.filter((r) => r.status === 'fulfilled').length });
});

digests.post('/push/:segment/throttled', async (req: Request, res: Response) => {
  const devices = await loadSegmentDevices(req.params.segment);
  await Promise.all(devices.map((d) => pushLimit(() => sendPush(d.token, String(req.body.message))))); // ok: unbounded-fan-out
  res.json({ sent: devices.length });
});

digests.post('/push/:segment/batched', async (req: Request, res: Response) => {
  const devices = await loadSegmentDevices(req.params.segment);
  for (const batch of chunk(devices, 100)) {
    await Promise.all(batch.map((d) => sendPush(d.token, String(req.body.message)))); // ok: unbounded-fan-out
  }
  res.json({ sent: devices.length });
});

digests.post('/events/:type', async (req: Request, res: Response) => {
  const subscribers = await loadSubscribers(req.params.type);
  const deliveries = subscribers.map((s) => deliverWebhook(s.url, req.body));
  await Promise.all(deliveries); // expect: unbounded-fan-out
  res.sendStatus(202);
});

digests.get('/health', async (_req: Request, res: Response) => {
  await Promise.all([pingPushGateway(), loadSubscribers('health')]); // ok: unbounded-fan-out
  res.json({ ok: true });
});
