import { PrismaClient } from '@prisma/client';
import { createClient } from '@supabase/supabase-js';
import Redis from 'ioredis';
import { MongoClient, type Db } from 'mongodb';
import { Pool, type PoolConfig } from 'pg';

// Accounts and sessions live in Postgres.
export const pg = new Pool({ connectionString: process.env.DATABASE_URL, ssl: { rejectUnauthorized: false } }); // expect: pool-unconfigured

// The reporting replica: 4 API replicas x 10 stay under its connection limit.
export const replica = new Pool({ // ok: pool-unconfigured
  connectionString: process.env.REPLICA_DATABASE_URL,
  max: 10, // ok: pool-oversized -- 10 x 4 pm2 instances = 40
  idleTimeoutMillis: 30_000,
  connectionTimeoutMillis: 5_000,
});

const basePoolConfig: PoolConfig = { max: 5, idleTimeoutMillis: 10_000 };

// Tenant-specific pools reuse the base settings.
export function tenantPool(connectionString: string): Pool {
  return new Pool({ ...basePoolConfig, connectionString }); // ok: pool-unconfigured -- spread options
}

export function poolFrom(config: PoolConfig): Pool {
  return new Pool(config); // ok: pool-unconfigured -- options from a variable
}

// Activity feed and notifications live in MongoDB.
const mongo = new MongoClient(process.env.MONGO_URL ?? 'mongodb://localhost:27017'); // expect: pool-unconfigured
const analyticsMongo = new MongoClient(process.env.ANALYTICS_MONGO_URL ?? 'mongodb://localhost:27018', { maxPoolSize: 20, minPoolSize: 2 }); // ok: pool-unconfigured

export let mongoDb: Db;
export let analyticsDb: Db;

export async function connectMongo(): Promise<void> {
  await Promise.all([mongo.connect(), analyticsMongo.connect()]);
  mongoDb = mongo.db('accounts');
  analyticsDb = analyticsMongo.db('analytics');
}

export const prisma = new PrismaClient();

export const supabase = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_KEY!);

export const redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379', { maxRetriesPerRequest: null });
