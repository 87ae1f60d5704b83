import nodemailer from 'nodemailer';
import { Queue } from 'bullmq';
import { redis } from './db';

// One pooled transport for the process.
export const transporter = nodemailer.createTransport({ // ok: sync-smtp-in-request
  pool: true,
  maxConnections: 5,
  host: process.env.SMTP_HOST,
  port: Number(process.env.SMTP_PORT ?? 587),
  auth: { user: process.env.SMTP_USER, pass: process.env.SMTP_PASSWORD },
});

export const mailQueue = new Queue('mail', { connection: redis });

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Queues a mail for the worker (worker.ts), which sends it with `transporter`. */
export async function enqueueMail(mail: Mail): Promise<void> {
  await mailQueue.add('send', mail, { attempts: 5, backoff: { type: 'exponential', delay: 10_000 } });
}

/** For the worker: one message on the pooled transport. */
export async function deliver(mail: Mail): Promise<void> {
  await transporter.sendMail({ from: process.env.MAIL_FROM, ...mail }); // ok: sync-smtp-in-request
}
