// Sales chat from the old JavaScript service: visitors and agents on socket.io 2.
'use strict';

const http = require('http');
const express = require('express');
const mongoose = require('mongoose');

const Agent = mongoose.model('Agent', new mongoose.Schema({ name: String, team: String }));

const ROOM_PREFIXES = new Map([['sales', 'sal:'], ['support', 'sup:']]); // ok: in-process-shared-state

const agentNames = new Map(); // expect: in-process-shared-state

const app = express();
const server = http.createServer(app);
const io = require('socket.io')(server); // expect: in-process-shared-state

async function agentName(agentId) {
  if (!agentNames.has(agentId)) {
    const agent = await Agent.findById(agentId).lean();
    agentNames.set(agentId, agent ? agent.name : 'Sales team');
  }
  return agentNames.get(agentId);
}

io.on('connection', (socket) => {
  socket.on('join', (room) => socket.join(ROOM_PREFIXES.get(room.kind) + room.id));
  socket.on('message', async (msg) => {
    const from = msg.agentId ? await agentName(msg.agentId) : 'Visitor';
    io.to(ROOM_PREFIXES.get(msg.kind) + msg.roomId).emit('message', { ...msg, from });
  });
});

module.exports = { app, server, io };
