import { Router, type Request, type Response } from 'express';
import { replica as pool, supabase } from '../db';

export const orderExports = Router();

// Every order, as CSV: read whole in one query.
orderExports.get('/exports/orders', async (req: Request, res: Response) => {
  const { rows } = await pool.query('SELECT id, user_id, total, created_at FROM orders ORDER BY id'); // expect: unbounded-fetch
  res.type('csv').send(rows.map((r) => `${r.id},${r.user_id},${r.total}`).join('\n'));
});

// One customer's orders, a page at a time.
orderExports.get('/exports/orders/:userId', async (req: Request, res: Response) => {
  const { rows } = await pool.query('SELECT id, total FROM orders WHERE user_id = $1 ORDER BY id LIMIT 500', [req.params.userId]); // ok: unbounded-fetch -- bounded by WHERE and LIMIT
  res.json(rows);
});

// Open tickets for the support dashboard, from Supabase.
orderExports.get('/tickets/open', async (req: Request, res: Response) => {
  const { data } = await supabase.from('tickets').select('*').eq('status', 'open'); // expect: unbounded-fetch
  const { data: mine } = await supabase.from('tickets').select('*').eq('assignee_id', req.params.agentId).range(0, 49); // ok: unbounded-fetch -- a page of one agent's tickets
  res.json({ data, mine });
});
