import * as nodemailer from 'nodemailer';

const transport = nodemailer.createTransport({ host: process.env.SMTP_HOST, port: 587 });

export async function sendDigest(to: string, body: string): Promise<void> {
  await transport.sendMail({ from: 'digest@example.com', to, subject: 'Your digest', text: body });
}
