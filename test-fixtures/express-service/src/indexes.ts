import { mongoDb } from './db';

// Created at startup (idempotent). Collections not listed here rely on _id lookups only.
export async function ensureIndexes(): Promise<void> {
  await mongoDb.collection('activity').createIndex({ userId: 1, at: -1 });
  await mongoDb.collection('memberships').createIndex({ userId: 1 });
  await mongoDb.collection('subscribers').createIndex({ topic: 1 });
  await mongoDb.collection('sessions').createIndex({ sid: 1 }, { unique: true });
}
