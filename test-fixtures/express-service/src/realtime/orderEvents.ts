import { Router, type Request, type Response } from 'express';

// Live order updates for the dashboard, over server-sent events.
export const orderEvents = Router();

const streams = new Set<Response>(); // expect: in-process-shared-state

orderEvents.get('/orders/stream', (req: Request, res: Response) => {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  streams.add(res);
  req.on('close', () => streams.delete(res));
});

export function publishOrderUpdate(orderId: string, status: string): void {
  for (const stream of streams) stream.write(`event: order\ndata: ${JSON.stringify({ orderId, status })}\n\n`);
}

// One report per request, answered when ready: a list of responses that is no event stream.
const waiting: Response[] = []; // ok: in-process-shared-state

orderEvents.get('/reports/next', (_req: Request, res: Response) => {
  waiting.push(res);
});
