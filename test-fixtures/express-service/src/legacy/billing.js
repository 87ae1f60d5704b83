// Billing endpoints from the old JavaScript service, mounted as-is under /api/billing.
'use strict';

const express = require('express');
const mongoose = require('mongoose');
const mysql = require('mysql2/promise');
const { enqueueMail, transporter } = require('../mailer');

// Invoices still live in the MySQL billing database.
const billingDb = mysql.createPool({ host: process.env.BILLING_DB_HOST, user: process.env.BILLING_DB_USER, password: process.env.BILLING_DB_PASSWORD, database: 'billing' }); // expect: pool-unconfigured

// Read-only ledger replica, sized by the DBA.
const ledgerDb = mysql.createPool({ // ok: pool-unconfigured
  uri: process.env.LEDGER_DB_URL,
  connectionLimit: 8,
  waitForConnections: true,
  queueLimit: 100,
});

mongoose.connect(process.env.BILLING_MONGO_URL); // expect: pool-unconfigured

const Payment = mongoose.model(
  'Payment',
  new mongoose.Schema({ customerId: { type: String, index: true }, amountCents: Number, status: String, failedAt: Date, email: String }),
);

const billing = express.Router();

billing.get('/invoices/:customerId', async (req, res) => {
  const limit = Math.min(Number(req.query.limit) || 25, 100);
  const [rows] = await billingDb.query('SELECT id, number, total_cents, status FROM invoices WHERE customer_id = ? ORDER BY id DESC LIMIT ?', [req.params.customerId, limit]);
  res.json(rows);
});

billing.get('/ledger/:customerId', async (req, res) => {
  const [rows] = await ledgerDb.query('SELECT entry_id, amount_cents, booked_at FROM ledger WHERE customer_id = ? ORDER BY booked_at DESC LIMIT 50', [req.params.customerId]);
  res.json(rows);
});

billing.get('/payments/failed', async (_req, res) => {
  const failed = await Payment.find({ status: 'failed' }).sort({ failedAt: -1 }).limit(500).lean(); // expect: hardcoded-fetch-cap (warning), missing-index
  res.json(failed);
});

billing.get('/payments/recent/:customerId', async (req, res) => {
  const recent = await Payment.find({ customerId: req.params.customerId }).sort({ failedAt: -1 }).limit(10).lean(); // ok: hardcoded-fetch-cap, missing-index
  res.json(recent);
});

billing.post('/payments/failed/remind', async (_req, res) => {
  const failed = await Payment.find({ status: 'failed', reminded: { $ne: true } }).limit(200).lean(); // expect: hardcoded-fetch-cap (error), missing-index
  for (const payment of failed) {
    await transporter.sendMail({ to: payment.email, subject: 'Your payment failed', text: 'Please update your card.' }); // expect: sync-smtp-in-request
  }
  res.json({ reminded: failed.length });
});

billing.post('/payments/failed/remind-later', async (_req, res) => {
  let queued = 0;
  for await (const payment of Payment.find({ status: 'failed', reminded: { $ne: true } }).select('email').cursor()) { // expect: missing-index
    await enqueueMail({ to: payment.email, subject: 'Your payment failed', text: 'Please update your card.' }); // ok: sync-smtp-in-request
    queued += 1;
  }
  res.status(202).json({ queued });
});

module.exports = { billing };
