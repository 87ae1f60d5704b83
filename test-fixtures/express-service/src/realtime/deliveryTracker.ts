import type { Server as HttpServer } from 'http';
import NodeCache from 'node-cache';
import { WebSocketServer, type WebSocket } from 'ws';
import { pg } from '../db';

const STATUS_TEXT = new Map([['out_for_delivery', 'Out for delivery'], ['delivered', 'Delivered']]); // ok: in-process-shared-state

// Customers watching their order on the tracking page, by order id.
const watchers = new Map<string, WebSocket>(); // expect: in-process-shared-state

const addressCache = new NodeCache({ stdTTL: 120 }); // expect: in-process-shared-state

export function attachTracker(server: HttpServer): WebSocketServer {
  const wss = new WebSocketServer({ server, path: '/track' }); // ok: in-process-shared-state -- wss.clients is only pinged
  wss.on('connection', (ws, req) => {
    const orderId = new URL(req.url ?? '/', 'http://localhost').searchParams.get('order') ?? '';
    watchers.set(orderId, ws);
    ws.on('close', () => watchers.delete(orderId));
  });
  const heartbeat = setInterval(() => wss.clients.forEach((client) => client.ping()), 30_000);
  wss.on('close', () => clearInterval(heartbeat));
  return wss;
}

export function pushStatus(orderId: string, status: string): void {
  watchers.get(orderId)?.send(JSON.stringify({ orderId, status: STATUS_TEXT.get(status) ?? status }));
}

export async function deliveryAddress(orderId: string) {
  const hit = addressCache.get(orderId);
  if (hit) return hit;
  const { rows } = await pg.query('SELECT street, city, zip FROM delivery_addresses WHERE order_id = $1', [orderId]);
  addressCache.set(orderId, rows[0]);
  return rows[0];
}
