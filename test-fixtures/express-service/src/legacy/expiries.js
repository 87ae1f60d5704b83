// Trial expiry timers from the old JavaScript service: one node-schedule job per trial account,
// named after the account.
'use strict';

const express = require('express');
const schedule = require('node-schedule');
const { expireTrial } = require('./accounts');

const expiries = express.Router();

function expiryName(accountId) {
  return `expire:${accountId}`;
}

expiries.post('/:accountId', (req, res) => {
  const accountId = req.params.accountId;
  schedule.scheduleJob(expiryName(accountId), new Date(req.body.at), () => expireTrial(accountId));
  res.sendStatus(201);
});

expiries.delete('/:accountId', (req, res) => {
  const job = Object.values(schedule.scheduledJobs).find((j) => j.name === expiryName(req.params.accountId)); // expect: scheduler-job-scan (error)
  if (job) job.cancel();
  res.sendStatus(204);
});

expiries.post('/:accountId/extend', (req, res) => {
  const job = schedule.scheduledJobs[expiryName(req.params.accountId)]; // ok: scheduler-job-scan
  if (job) job.reschedule(new Date(req.body.at));
  res.sendStatus(204);
});

expiries.get('/', (_req, res) => {
  res.json(Object.keys(schedule.scheduledJobs)); // ok: scheduler-job-scan -- a listing, no search
});

module.exports = { expiries };
