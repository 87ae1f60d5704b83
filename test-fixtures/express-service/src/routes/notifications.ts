import { Router, type Request, type Response } from 'express';
import nodemailer from 'nodemailer';
import { mongoDb, prisma } from '../db';
import { enqueueMail, mailQueue, transporter } from '../mailer';
import { limitResets } from '../ratelimit';

export const notifications = Router();

async function sendPasswordReset(email: string, code: string): Promise<void> {
  const transport = nodemailer.createTransport({ host: process.env.SMTP_HOST, port: 587, auth: { user: process.env.SMTP_USER, pass: process.env.SMTP_PASSWORD } }); // expect: sync-smtp-in-request
  await transport.sendMail({ from: process.env.MAIL_FROM, to: email, subject: 'Your reset code', text: `Your code is ${code}. It expires in 15 minutes.` });
}

notifications.post('/password-reset', limitResets, async (req: Request, res: Response) => {
  const user = await prisma.user.findUnique({ where: { email: String(req.body.email) } });
  if (user) {
    const code = String(Math.floor(100000 + Math.random() * 900000));
    await prisma.passwordReset.create({ data: { userId: user.id, code, expiresAt: new Date(Date.now() + 15 * 60_000) } });
    await sendPasswordReset(user.email, code);
  }
  res.status(202).json({ status: 'sent if the address is known' });
});

notifications.post('/welcome/:userId', async (req: Request, res: Response) => {
  const user = await prisma.user.findUniqueOrThrow({ where: { id: req.params.userId } });
  await enqueueMail({ to: user.email, subject: 'Welcome to Acme', text: `Hi ${user.name}!` }); // ok: sync-smtp-in-request
  res.sendStatus(202);
});

notifications.post('/incidents', async (req: Request, res: Response) => {
  const admins = await prisma.user.findMany({ where: { role: 'ADMIN' }, select: { email: true }, take: 50 }); // ok: hardcoded-fetch-cap, unbounded-fetch
  for (const admin of admins) {
    await transporter.sendMail({ from: process.env.MAIL_FROM, to: admin.email, subject: `Incident: ${req.body.title}`, text: String(req.body.details) }); // expect: sync-smtp-in-request
  }
  res.sendStatus(204);
});

notifications.post('/announcements', async (req: Request, res: Response) => {
  const subscribers = await mongoDb.collection('subscribers').find({ topic: req.body.topic }).limit(1000).toArray(); // expect: hardcoded-fetch-cap (error); ok: missing-index
  for (const sub of subscribers) {
    await mailQueue.add('send', { to: sub.email, subject: req.body.subject, text: req.body.text }); // ok: sync-smtp-in-request
  }
  res.status(202).json({ queued: subscribers.length });
});

notifications.post('/trials/expire', async (_req: Request, res: Response) => {
  const expired = await prisma.subscription.findMany({ where: { status: 'TRIAL', trialEndsAt: { lt: new Date() } }, take: 500 }); // expect: hardcoded-fetch-cap (error)
  for (const sub of expired) {
    await prisma.subscription.update({ where: { id: sub.id }, data: { status: 'EXPIRED' } });
  }
  res.json({ expired: expired.length });
});
