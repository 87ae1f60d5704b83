import { createAdapter } from '@socket.io/redis-adapter';
import type { Server as HttpServer } from 'http';
import { Server } from 'socket.io';
import { redis } from '../db';

// Every instance joins the same rooms through Redis, so an emit reaches agents on all of them.
export function attachSupportChat(server: HttpServer): Server {
  const io = new Server(server, { path: '/support' }); // ok: in-process-shared-state -- Redis adapter below
  io.adapter(createAdapter(redis, redis.duplicate()));
  io.on('connection', (socket) => {
    socket.on('join', (ticketId: string) => socket.join(`ticket:${ticketId}`));
    socket.on('message', (msg: { ticketId: string; text: string }) => io.to(`ticket:${msg.ticketId}`).emit('message', msg));
  });
  return io;
}
