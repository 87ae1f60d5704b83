import * as assert from 'assert';
import { defaultConfig } from '../../server/src/config/config';
import { analyzeText } from '../../server/src/engine/index';
import { code, hits, scanTree, workspaceHits } from '../../server/test/harness';

const RULE = 'missing-index';
const at = async (files: Record<string, string>) => (await workspaceHits(files, RULE)).map((h) => h.at);

const PY_DB = code`
  from motor.motor_asyncio import AsyncIOMotorClient

  client = AsyncIOMotorClient(URL, maxPoolSize=50)
  db = client.app


  async def ensure_indexes():
      await db.users.create_index("email", unique=True)
      await db.orders.create_index([("user_id", 1), ("created_at", -1)])
`;

const TS_DB = code`
  import { MongoClient } from 'mongodb';
  export const db = new MongoClient(URL, { maxPoolSize: 50 }).db('app');
  export const orders = db.collection('orders');
  export async function ensureIndexes() {
    await db.collection('users').createIndex({ email: 1 }, { unique: true });
    await orders.createIndexes([{ key: { userId: 1, createdAt: -1 } }]);
  }
`;

describe(RULE, () => {
  it('is silent on a lone file: it needs the workspace', () => {
    assert.deepStrictEqual(hits('python', 'from pymongo import MongoClient\nu = db.users.find_one({"name": n})\n', RULE), []);
  });

  describe('python', () => {
    it('flags a filter on fields no declared index starts with, naming the collection, fields and where indexes are', async () => {
      const routes = code`
        async def by_name(name):
            return await db.users.find_one({"name": name})
      `;
      const found = await workspaceHits({ 'app/db.py': PY_DB, 'app/routes.py': routes }, RULE);
      assert.deepStrictEqual(found, [
        {
          at: 'app/routes.py:2:36',
          message:
            '`users` is queried by `name` (find_one) and no declared index starts with it: MongoDB scans the whole collection for each such query, which is milliseconds at 10k documents and seconds at millions. ' +
            'Indexes on `users` start with `email`. Declare an index on `name`.',
          related: ['app/db.py:8: index declared here (email)'],
        },
      ]);
    });

    it('leaves alone filters an index covers (its first key, or _id), and filters that are not literal documents', async () => {
      const routes = code`
        async def handlers(email, uid, q):
            await db.users.find_one({"email": email})
            await db.users.find_one({"email": email, "deleted": False})
            await db.orders.find({"user_id": uid}).to_list(20)
            await db.users.update_one({"_id": uid}, {"$set": {"seen": True}})
            await db.users.find(q).to_list(10)
            await db.users.find({"$text": {"$search": q}}).to_list(10)
            await db.users.find({}).to_list(10)
      `;
      assert.deepStrictEqual(await at({ 'db.py': PY_DB, 'routes.py': routes }), []);
    });

    it('an index whose first key is not in the filter does not cover it', async () => {
      const routes = 'async def recent(since):\n    return await db.orders.find({"created_at": {"$gt": since}}).to_list(50)\n';
      assert.deepStrictEqual(await at({ 'db.py': PY_DB, 'routes.py': routes }), ['routes.py:2:33']);
    });

    it('resolves collections named by subscript, get_collection and collection aliases', async () => {
      const repo = code`
        from pymongo import MongoClient
        users_collection = db.get_collection("users")

        class Orders:
            def __init__(self, db):
                self.collection = db["orders"]

            def by_status(self, status):
                return self.collection.find({"status": status})

        def by_plan(plan):
            return users_collection.find({"plan": plan})

        def by_country(c):
            return db["users"].find({"country": c})
      `;
      assert.deepStrictEqual(await at({ 'db.py': PY_DB, 'repo.py': repo }), ['repo.py:9:37', 'repo.py:12:34', 'repo.py:15:29']);
    });

    it('without MongoDB in the workspace, find({...}) is somebody else\'s API', async () => {
      const src = 'def f(soup):\n    return soup.items.find({"class": "price"})\n';
      assert.deepStrictEqual(await at({ 'scrape.py': src }), []);
    });

    it('reads the filter argument from the models: an insert\'s document is no query', async () => {
      const routes = code`
        from .search import find_one

        async def signup(name):
            await db.users.insert_one({"name": name})
            return find_one({"name": name})

        async def by_name(name):
            return await db.users.find_one({"name": name})
      `;
      assert.deepStrictEqual(await at({ 'app/db.py': PY_DB, 'app/routes.py': routes }), ['app/routes.py:8:36']);
    });

    it('with no index declared anywhere, it says so', async () => {
      const src = 'from pymongo import MongoClient\ndb = MongoClient(URL).app\nu = db.users.find_one({"name": "x"})\n';
      const [found] = await workspaceHits({ 'app.py': src }, RULE);
      assert.match(found.message, /No index is declared anywhere in the workspace: if they are created elsewhere/);
      assert.deepStrictEqual(found.related, []);
    });
  });

  describe('python: generic repositories', () => {
    const base = code`
      from motor.motor_asyncio import AsyncIOMotorCollection, AsyncIOMotorDatabase


      class BaseRepository:
          def __init__(self, db: AsyncIOMotorDatabase, collection_name: str):
              self.collection: AsyncIOMotorCollection = db[collection_name]

          async def find_one(self, query: dict):
              return await self.collection.find_one(query)

          async def find_many(self, query: dict, limit: int = 100):
              return await self.collection.find(query).to_list(limit)

          async def latest(self, slug):
              # The base knows no collection: its own literal queries are generic.
              return await self.collection.find_one({"slug": slug})


      class Repository:
          def __init__(self, collection):
              self.collection = collection

          def find_one(self, query):
              return self.collection.find_one(query)
    `;
    const repos = code`
      from app.db import db
      from app.repositories.base import BaseRepository, Repository


      class UserRepository(BaseRepository):
          def __init__(self, database):
              super().__init__(database, "users")

          async def by_email(self, email):
              return await self.find_one({"email": email})

          async def by_name(self, name):
              return await self.find_one({"name": name})

          async def by_team(self, team):
              return await self.collection.find_one({"team": team})


      class OrderRepository(Repository):
          def __init__(self):
              super().__init__(db.orders)
    `;
    const routes = code`
      from app.repositories.users import OrderRepository, UserRepository


      async def lookup(database, email, status):
          users = UserRepository(database)
          orders = OrderRepository()
          return [await users.find_one({"email": email}), await users.find_many({"plan": "pro"}), orders.find_one({"status": status})]
    `;
    const db = code`
      from motor.motor_asyncio import AsyncIOMotorClient

      db = AsyncIOMotorClient(URL, maxPoolSize=50).app


      async def ensure_indexes():
          await db.users.create_index("email", unique=True)
    `;

    it("reads the collection a subclass names or hands to super().__init__ and flags queries through the base's wrappers and field", async () => {
      const found = await workspaceHits({ 'app/db.py': db, 'app/repositories/base.py': base, 'app/repositories/users.py': repos, 'app/routes.py': routes }, RULE);
      assert.deepStrictEqual(found.map((f) => f.at), [
        'app/repositories/users.py:13:36',
        'app/repositories/users.py:16:47',
        'app/routes.py:7:75',
        'app/routes.py:7:109',
      ]);
      assert.match(found[0].message, /^`users` is queried by `name` \(find_one, through `BaseRepository.find_one`\)/);
      assert.deepStrictEqual(found[0].related[0], "app/repositories/users.py:7: the repository's collection (`users`) is bound here");
      assert.match(found[3].message, /^`orders` is queried by `status` \(find_one, through `Repository.find_one`\)/);
    });
  });

  describe('python: Beanie documents', () => {
    const models = code`
      from typing import Annotated

      import pymongo
      from beanie import Document, Indexed
      from pymongo import IndexModel

      class User(Document):
          email: Indexed(str, unique=True)
          handle: Annotated[str, Indexed()]
          country: str

          class Settings:
              name = "users"
              indexes = ["created_at", [("team_id", pymongo.ASCENDING), ("role", pymongo.DESCENDING)], IndexModel([("plan", 1)])]

      class Event(Document):
          kind: str
          user_id: str
    `;
    const routes = code`
      from app.models import Event, User

      async def lookups(email: str):
          a = await User.find_one(User.email == email)
          b = await User.find_one({"handle": email})
          c = await User.find({"team_id": "t"}).to_list(50)
          d = await User.find_one({"plan": "pro"})
          e = await User.find_one(User.country == "fr")
          f = await Event.find({"user_id": email}).to_list(20)
          g = await User.find_one(User.email != email)
          return a, b, c, d, e, f, g
    `;

    it('reads a document class\'s collection and indexes (Indexed fields, Settings.indexes) and flags the queries they do not cover', async () => {
      const found = await workspaceHits({ 'app/__init__.py': '', 'app/models.py': models, 'app/routes.py': routes }, RULE);
      assert.deepStrictEqual(found.map((f) => f.at), ['app/routes.py:8:29', 'app/routes.py:9:26']);
      assert.match(found[0].message, /^`users` is queried by `country` \(find_one\)/);
      assert.match(found[1].message, /^`Event` is queried by `user_id` \(find\)/);
      // A class of the project that only shares the name is not Beanie's document.
      const own = models.replace('from beanie import Document, Indexed', 'from beanie import Indexed\nfrom app.base import Document');
      assert.deepStrictEqual(await at({ 'app/__init__.py': '', 'app/models.py': own, 'app/routes.py': routes }), []);
    });
  });

  describe('python: mongoengine documents', () => {
    const models = code`
      from mongoengine import DateTimeField, Document, ReferenceField, StringField

      class UserProfile(Document):
          email = StringField(unique=True)
          handle = StringField()
          team = StringField()
          country = StringField()
          created = DateTimeField()
          bio = StringField()
          meta = {"indexes": ["-created", ("team", "-created"), {"fields": ["handle"], "unique": True}, "$bio"]}

      class AuditEvent(Document):
          kind = StringField()
          user = ReferenceField(UserProfile)
          meta = {"collection": "audit", "indexes": ["kind"]}
    `;
    const routes = code`
      from app.models import AuditEvent, UserProfile

      def lookups(email, handle, user):
          a = UserProfile.objects(email=email).first()
          b = UserProfile.objects.get(handle=handle)
          c = UserProfile.objects.filter(team="t", created__gte=0).limit(50)
          d = UserProfile.objects(country__in=["fr", "de"])
          e = UserProfile.objects.get(bio="x")
          f = AuditEvent.objects(user=user).order_by("-id")
          g = AuditEvent.objects(kind="login").count()
          h = UserProfile.objects.get(pk=user)
          return a, b, c, d, e, f, g, h
    `;

    it('reads collections (meta, or the class name in snake_case) and indexes (unique fields, meta indexes in field-spec form) and flags keyword queries they do not cover', async () => {
      const found = await workspaceHits({ 'app/__init__.py': '', 'app/models.py': models, 'app/routes.py': routes }, RULE);
      assert.deepStrictEqual(found.map((f) => f.at), ['app/routes.py:7:9', 'app/routes.py:8:9', 'app/routes.py:9:9']);
      assert.match(found[0].message, /^`user_profile` is queried by `country` \(objects\)/);
      assert.match(found[1].message, /^`user_profile` is queried by `bio` \(get\) .*Indexes on `user_profile` start with `email`, `created`, `team`, `handle`/);
      assert.match(found[2].message, /^`audit` is queried by `user` \(objects\)/);
      // Django's managers have the same shape: a model that is no mongoengine document is not judged.
      const django = models.replace('from mongoengine import DateTimeField, Document, ReferenceField, StringField', 'from mongoengine import DateTimeField, ReferenceField, StringField, connect\nfrom django.db.models import Model as Document');
      assert.deepStrictEqual(await at({ 'app/__init__.py': '', 'app/models.py': django, 'app/routes.py': routes }), []);
    });
  });

  describe('go: the MongoDB driver', () => {
    const store = code`
      package store

      import (
      	"context"

      	"go.mongodb.org/mongo-driver/bson"
      	"go.mongodb.org/mongo-driver/mongo"
      )

      type Store struct {
      	users  *mongo.Collection
      	events *mongo.Collection
      }

      func New(db *mongo.Database) *Store {
      	return &Store{users: db.Collection("users"), events: db.Collection("events")}
      }

      func (s *Store) EnsureIndexes(ctx context.Context) error {
      	_, err := s.users.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "email", Value: 1}}})
      	if err != nil {
      		return err
      	}
      	_, err = s.events.Indexes().CreateMany(ctx, []mongo.IndexModel{
      		{Keys: bson.D{{"user_id", 1}, {"at", -1}}},
      		{Keys: bson.D{{"body", "text"}}},
      	})
      	return err
      }
    `;
    const queries = code`
      package store

      import (
      	"context"

      	"go.mongodb.org/mongo-driver/bson"
      )

      func (s *Store) Lookups(ctx context.Context, email, uid, team, body string) {
      	s.users.FindOne(ctx, bson.M{"email": email})
      	s.users.FindOne(ctx, bson.M{"team": team})
      	s.events.Find(ctx, bson.D{{Key: "user_id", Value: uid}})
      	s.events.CountDocuments(ctx, bson.D{{"body", body}})
      	s.users.FindOne(ctx, bson.M{"$or": []bson.M{{"a": 1}}})
      	s.users.UpdateOne(ctx, bson.M{"_id": uid}, bson.M{"$set": bson.M{"team": team}})
      }
    `;

    it('reads collections from Database.Collection (struct fields, locals), indexes from IndexModel keys (not text indexes), and flags filters they do not cover', async () => {
      const found = await workspaceHits({ 'go.mod': 'module example.com/app\n\ngo 1.22\n', 'store/store.go': store, 'store/queries.go': queries }, RULE);
      assert.deepStrictEqual(found.map((f) => f.at), ['store/queries.go:11:23', 'store/queries.go:13:31']);
      assert.match(found[0].message, /^`users` is queried by `team` \(FindOne\).*Indexes on `users` start with `email`/);
      assert.match(found[1].message, /^`events` is queried by `body` \(CountDocuments\)/);
    });
  });

  describe('typescript', () => {
    it('flags driver queries by collection and through an alias', async () => {
      const routes = code`
        import { db, orders } from './db';
        export async function find(name: string, status: string, email: string) {
          const a = await db.collection('users').findOne({ name });
          const b = await orders.find({ status }).toArray();
          const c = await db.collection('users').findOne({ email });
          const d = await orders.find({ userId: a._id, status }).toArray();
          return [a, b, c, d];
        }
      `;
      assert.deepStrictEqual(await at({ 'src/db.ts': TS_DB, 'src/routes.ts': routes }), ['src/routes.ts:3:50', 'src/routes.ts:4:31']);
    });

    it('mongoose: schema indexes (index/unique options and schema.index) cover queries on the model', async () => {
      const model = code`
        import mongoose, { Schema } from 'mongoose';
        const userSchema = new Schema({
          email: { type: String, unique: true },
          name: String,
          org: { type: Schema.Types.ObjectId, ref: 'Org', index: true },
        });
        userSchema.index({ lastSeenAt: -1, plan: 1 });
        export const User = mongoose.model('User', userSchema);
      `;
      const routes = code`
        import { User } from './user';
        export const a = (email: string) => User.findOne({ email });
        export const b = (org: string) => User.find({ org, active: true });
        export const c = (since: Date) => User.find({ lastSeenAt: { $gt: since } });
        export const d = (name: string) => User.find({ name });
        export const e = (plan: string) => User.countDocuments({ plan });
      `;
      const found = await workspaceHits({ 'src/user.ts': model, 'src/routes.ts': routes }, RULE);
      assert.deepStrictEqual(found.map((f) => f.at), ['src/routes.ts:5:46', 'src/routes.ts:6:56']);
      assert.match(found[0].message, /^`users` is queried by `name` \(find\)/);
      assert.match(found[0].message, /Indexes on `users` start with `email`, `org`, `lastSeenAt`\./);
    });

    it("names a model's collection by mongoose's plural: a name already in -s stays, -y and -ss change, an uncountable word or a digit at the end stays", async () => {
      const models = code`
        const mongoose = require('mongoose');
        const Preferences = mongoose.model('Preferences', new mongoose.Schema({ userId: String }));
        const Category = mongoose.model('Category', new mongoose.Schema({ slug: String }));
        const Address = mongoose.model('Address', new mongoose.Schema({ zip: String }));
        const Status = mongoose.model('Status', new mongoose.Schema({ code: String }));
        const UserV2 = mongoose.model('UserV2', new mongoose.Schema({ email: String }));
        const a = Preferences.findOne({ userId: id });
        const b = Category.findOne({ slug: s });
        const c = Address.find({ zip: z });
        const d = Status.find({ code: c });
        const e = UserV2.find({ email: e });
      `;
      const found = await workspaceHits({ 'models.js': models }, RULE);
      assert.deepStrictEqual(found.map((f) => f.message.split(' ')[0]), ['`preferences`', '`categories`', '`addresses`', '`status`', '`userv2`']);
    });

    describe('generic repositories', () => {
      const base = code`
        import { FilterQuery, Model } from 'mongoose';
        export class BaseRepository<T> {
          constructor(protected MongooseModel: Model<T>, protected entity: unknown) {}
          async findOne(query: FilterQuery<T>, select?: string) {
            return this.MongooseModel.findOne(query, select);
          }
          async find(query: FilterQuery<T>, options: { limit?: number } = {}) {
            return this.MongooseModel.find(query).limit(options.limit ?? 0).lean();
          }
          async count(query: FilterQuery<T>) {
            return this.MongooseModel.countDocuments(query);
          }
          async findSince(after: string) {
            // The base knows no collection: its own literal queries are generic.
            return this.MongooseModel.findOne({ slug: after });
          }
        }
      `;
      const user = code`
        import mongoose, { Schema } from 'mongoose';
        import { BaseRepository } from '../base-repository';
        const userSchema = new Schema({ email: { type: String, unique: true }, name: String, org: String });
        export const User = mongoose.models.User || mongoose.model('User', userSchema);
        export class UserRepository extends BaseRepository<unknown> {
          constructor() {
            super(User, Object);
          }
          findByEmail(email: string) {
            return this.findOne({ email });
          }
          findByName(name: string) {
            return this.findOne({ name });
          }
          byOrg(org: string) {
            return this.MongooseModel.find({ org });
          }
        }
      `;
      const order = code`
        const mongoose = require('mongoose');
        const Order = mongoose.model('Order', new mongoose.Schema({ userId: { type: String, index: true }, status: String }));
        class Repository {
          constructor(model) {
            this.model = model;
          }
          find(filter) {
            return this.model.find(filter);
          }
        }
        class OrderRepository extends Repository {
          constructor() {
            super(Order);
          }
        }
        module.exports = { Repository, OrderRepository };
      `;
      const service = code`
        import { UserRepository } from '../repositories/user/user.repository';
        import { OrderRepository } from '../repositories/order';
        export class AccountService {
          constructor(private readonly users: UserRepository, private readonly mailer: Mailer) {}
          async lookup(email: string, name: string, org: string) {
            const a = await this.users.findOne({ email });
            const b = await this.users.find({ name, org });
            const c = await this.users.count({ org });
            const d = await this.mailer.find({ name });
            return [a, b, c, d];
          }
          async orders(userId: string, status: string) {
            const repo = new OrderRepository();
            return [await repo.find({ userId }), await repo.find({ status })];
          }
        }
      `;
      const files = {
        'src/repositories/base-repository.ts': base,
        'src/repositories/user/user.repository.ts': user,
        'src/repositories/order.js': order,
        'src/services/account.ts': service,
      };

      it("reads the collection a subclass hands its base and flags queries through the base's wrappers and field", async () => {
        const found = await workspaceHits(files, RULE);
        assert.deepStrictEqual(found.map((f) => f.at), [
          'src/repositories/user/user.repository.ts:13:25',
          'src/repositories/user/user.repository.ts:16:36',
          'src/services/account.ts:7:37',
          'src/services/account.ts:8:38',
          'src/services/account.ts:14:58',
        ]);
        assert.match(found[0].message, /^`users` is queried by `name` \(findOne, through `BaseRepository.findOne`\)/);
        assert.deepStrictEqual(found[0].related[0], "src/repositories/user/user.repository.ts:7: the repository's collection (`users`) is bound here");
        assert.match(found[2].message, /^`users` is queried by `name`, `org` \(find, through `BaseRepository.find`\)/);
        assert.match(found[4].message, /^`orders` is queried by `status` \(find, through `Repository.find`\)/);
      });

      it('a class between that passes its constructor parameter on leaves the collection to its subclass, not to a name elsewhere', async () => {
        const mid = code`
          import mongoose, { Schema } from 'mongoose';
          import { BaseRepository } from './base-repository';
          const Team = mongoose.model('Team', new Schema({ slug: { type: String, unique: true }, name: String }));
          export class TenantRepository<T> extends BaseRepository<T> {
            constructor(model: any) {
              super(model, Object);
            }
          }
          export class TeamRepository extends TenantRepository<unknown> {
            constructor() {
              super(Team);
            }
            byName(name: string) {
              return this.findOne({ name });
            }
            bySlug(slug: string) {
              return this.findOne({ slug });
            }
          }
        `;
        // Another file's value of the passed parameter's name is no binding of the repository.
        const other = code`
          import { db } from './db';
          export const model = db.collection('orders');
        `;
        const found = await workspaceHits({ ...files, 'src/repositories/tenant.ts': mid, 'src/repositories/other.ts': other, 'src/repositories/db.ts': TS_DB }, RULE);
        const team = found.filter((f) => f.at.startsWith('src/repositories/tenant.ts'));
        assert.deepStrictEqual(team.map((f) => f.at), ['src/repositories/tenant.ts:14:25']);
        assert.match(team[0].message, /^`teams` is queried by `name` \(findOne, through `BaseRepository.findOne`\)/);
        assert.deepStrictEqual(team[0].related[0], "src/repositories/tenant.ts:11: the repository's collection (`teams`) is bound here");
      });

      it('the MongoDB driver: a base that looks its collection up by the name a subclass passes', async () => {
        const driver = code`
          import { Db, Filter } from 'mongodb';
          export class Store<T> {
            private readonly coll;
            constructor(db: Db, name: string) {
              this.coll = db.collection(name);
            }
            findOne(filter: Filter<T>) {
              return this.coll.findOne(filter);
            }
          }
          export class SessionStore extends Store<unknown> {
            constructor(db: Db) {
              super(db, 'sessions');
            }
            byToken(token: string) {
              return this.findOne({ token });
            }
          }
        `;
        const found = await workspaceHits({ 'src/db.ts': TS_DB, 'src/store.ts': driver }, RULE);
        assert.deepStrictEqual(found.map((f) => f.at), ['src/store.ts:16:25']);
        assert.match(found[0].message, /^`sessions` is queried by `token` \(findOne, through `Store.findOne`\)/);
      });

      it('a repository whose model is its own constructor parameter, and two classes of one name that bind different models, stay silent', async () => {
        const other = code`
          import { BaseRepository } from './base-repository';
          export class UserRepository extends BaseRepository<unknown> {
            constructor() {
              super(Admin, Object);
            }
          }
          export class ReportRepository extends BaseRepository<unknown> {
            constructor(model: any) {
              super(model, Object);
            }
            find(filter: { org: string }) {
              return this.MongooseModel.aggregate([{ $match: filter }]);
            }
            byTitle(title: string) {
              return this.find({ title });
            }
          }
        `;
        const reports = code`
          import { ReportRepository } from '../repositories/other';
          export const list = (repo: ReportRepository, org: string) => repo.find({ org });
        `;
        const found = await workspaceHits({ ...files, 'src/repositories/other.ts': other, 'src/services/reports.ts': reports }, RULE);
        // The two UserRepository classes bind different models: only the JS order repository is known.
        assert.deepStrictEqual(found.map((f) => f.at), ['src/services/account.ts:14:58']);
      });
    });

    it('an inline mongoose schema without indexes, and a model name that is not a mongoose model', async () => {
      const billing = code`
        const mongoose = require('mongoose');
        const Payment = mongoose.model('Payment', new mongoose.Schema({ customerId: { type: String, index: true }, status: String }));
        const a = Payment.find({ status: 'failed' });
        const b = Payment.find({ customerId: id });
        const c = Invoice.findOne({ where: { id } });
      `;
      assert.deepStrictEqual(await at({ 'billing.js': billing }), ['billing.js:3:24']);
    });
  });
});

describe(`${RULE} evidence`, () => {
  it('index declarations are evidence for the readiness model; a query is not', () => {
    const ev = (src: string, grammar: 'python' | 'typescript') => analyzeText(src, grammar, defaultConfig()).evidence.filter((e) => e.ruleId === RULE).map((e) => [e.message, src.slice(e.start, e.end)]);
    assert.deepStrictEqual(ev('from app.database import db\ndb.users.create_index("email")\nx = db.users.find_one({"a": 1})\n', 'python'), [['MongoDB indexes declared', 'db.users.create_index("email")']]);
    assert.deepStrictEqual(ev('import pymongo\nusers.create_index("email")\n', 'python'), [['MongoDB indexes declared', 'users.create_index("email")']]);
    // No MongoDB library in the file and nothing resolves the receiver: an array's or a string's `index`.
    assert.deepStrictEqual(ev('pos = names.index("email")\n', 'python'), []);
    assert.deepStrictEqual(ev("import { MongoClient } from 'mongodb';\nawait users.createIndex({ email: 1 });\nawait users.findOne({ a: 1 });\n", 'typescript'), [['MongoDB indexes declared', 'users.createIndex({ email: 1 })']]);
  });

  it("a SQL ORM's index declarations are SQL evidence, never MongoDB's; a column without one, or a look-alike keyword, is none", () => {
    const ev = (src: string, grammar: 'python' | 'typescript' | 'go') => analyzeText(src, grammar, defaultConfig()).evidence.filter((e) => e.ruleId === RULE).map((e) => [e.message, src.slice(e.start, e.end)]);
    const sqlalchemy = code`
      from sqlalchemy import Column, Index, String
      from sqlalchemy.orm import mapped_column
      from django.db import models
      class User(Base):
          email = Column(String, index=True)
          name = mapped_column(String, index=False)
          bio = Column(String)
      Index("ix_user_name", User.name)
      class Order(models.Model):
          ref = models.CharField(max_length=20, db_index=True)
          note = models.TextField()
          class Meta:
              indexes = [models.Index(fields=["ref"])]
      frame.to_csv("out.csv", index=True)
    `;
    assert.deepStrictEqual(ev(sqlalchemy, 'python'), [
      ['SQL indexes declared', 'Column(String, index=True)'],
      ['SQL indexes declared', 'Index("ix_user_name", User.name)'],
      ['SQL indexes declared', 'models.CharField(max_length=20, db_index=True)'],
      ['SQL indexes declared', 'models.Index(fields=["ref"])'],
    ]);
    const typescript = code`
      import { Entity, Index, Column } from 'typeorm';
      import { pgTable, index, text } from 'drizzle-orm/pg-core';
      @Entity()
      @Index(['userId', 'createdAt'])
      export class Order { @Column() userId: string; }
      export const posts = pgTable('posts', { userId: text('user_id') }, (t) => [index('posts_user_idx').on(t.userId)]);
      const found = list.index(3);
    `;
    assert.deepStrictEqual(ev(typescript, 'typescript'), [
      ['SQL indexes declared', "Index(['userId', 'createdAt'])"],
      ['SQL indexes declared', "index('posts_user_idx')"],
    ]);
    const gorm = code`
      package store
      import "gorm.io/gorm"
      type Order struct {
        gorm.Model
        UserID uint   \`gorm:"index;not null" json:"user_id"\`
        Code   string \`gorm:"uniqueIndex:idx_code"\`
        Note   string \`json:"index" gorm:"size:255"\`
      }
    `;
    assert.deepStrictEqual(ev(gorm, 'go').map(([m]) => m), ['SQL indexes declared', 'SQL indexes declared']);
  });

  describe('from migrations and SQL', () => {
    const evidence = async (files: Record<string, string>) =>
      (await scanTree(files)).evidence.filter((e) => e.ruleId === RULE).map((e) => `${e.path}:${e.line}: ${e.message}`);

    it("a migration's index is evidence (Alembic, Django, Sequelize, TypeORM); a test's is not", async () => {
      const alembic = code`
        from alembic import op
        import sqlalchemy as sa

        def upgrade():
            op.create_table("orders", sa.Column("id", sa.Integer, primary_key=True), sa.Column("user_id", sa.Integer))
            op.create_index("ix_orders_user_id", "orders", ["user_id"])
            with op.batch_alter_table("users") as batch_op:
                batch_op.create_unique_constraint("uq_users_email", ["email"])
      `;
      const django = code`
        from django.db import migrations, models

        class Migration(migrations.Migration):
            operations = [
                migrations.AddIndex(model_name="order", index=models.Index(fields=["user"], name="order_user_idx")),
            ]
      `;
      const sequelize = code`
        module.exports = {
          up: async (queryInterface, Sequelize) => {
            await queryInterface.addIndex('documents', ['teamId', 'updatedAt']);
          },
        };
      `;
      const typeorm = code`
        import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';
        export class AddOrderIndexes implements MigrationInterface {
          async up(queryRunner: QueryRunner): Promise<void> {
            await queryRunner.createIndex('order', new TableIndex({ columnNames: ['customerId'] }));
          }
        }
      `;
      const found = await evidence({
        'alembic/versions/0007_orders.py': alembic,
        'orders/migrations/0002_order_user_idx.py': django,
        'server/migrations/20240101-documents.js': sequelize,
        'src/migrations/1700000000-order.ts': typeorm,
        'tests/test_schema.py': alembic,
      });
      assert.deepStrictEqual(found, [
        'alembic/versions/0007_orders.py:6: SQL indexes declared',
        'alembic/versions/0007_orders.py:8: SQL indexes declared',
        'orders/migrations/0002_order_user_idx.py:5: SQL indexes declared',
        'server/migrations/20240101-documents.js:3: SQL indexes declared',
        'src/migrations/1700000000-order.ts:4: SQL indexes declared',
        'src/migrations/1700000000-order.ts:4: SQL indexes declared',
      ]);
    });

    it("SQL that creates an index, in a string or a .sql file, is evidence; a comment, a DROP and a docstring that says so are not", async () => {
      const go = code`
        package database

        var migrations = []string{
          \`CREATE TABLE entries (id bigserial primary key, feed_id bigint, status text);
           CREATE INDEX entries_feed_idx on entries using btree(feed_id);\`,
          "create unique index if not exists users_email_idx on users (email)",
          "DROP INDEX entries_status_idx",
        }
      `;
      const python = code`
        def reindex():
            """Create index pages for the docs on demand."""
            return build()
      `;
      const sql = code`
        -- CREATE INDEX idx_old ON memo (created_ts);
        CREATE TABLE memo (
          id INT PRIMARY KEY,
          creator_id INT NOT NULL,
          UNIQUE KEY uid (uid),
          KEY idx_creator (creator_id)
        );
        /* CREATE INDEX idx_commented ON memo (id); */
        CREATE INDEX IF NOT EXISTS idx_memo_ts ON memo (created_ts);
      `;
      const found = await evidence({
        'internal/database/migrations.go': go,
        'app/pages.py': python,
        'store/migration/postgres/0.22/01__memo.sql': sql,
        'store/test/fixtures/schema.sql': sql,
      });
      assert.deepStrictEqual(found, [
        'internal/database/migrations.go:4: SQL indexes declared',
        'internal/database/migrations.go:6: SQL indexes declared',
        'store/migration/postgres/0.22/01__memo.sql:5: SQL indexes declared (an index of a `CREATE TABLE` in a SQL file)',
        'store/migration/postgres/0.22/01__memo.sql:6: SQL indexes declared (an index of a `CREATE TABLE` in a SQL file)',
        'store/migration/postgres/0.22/01__memo.sql:9: SQL indexes declared (`CREATE INDEX` in a SQL file)',
      ]);
    });
  });

  it("a Prisma schema's index declarations are evidence, named for its datasource's database; a commented one is not", async () => {
    const schema = (provider: string) => code`
      datasource db {
        provider = "${provider}"
        url      = env("DATABASE_URL")
      }
      model Order {
        id     String @id
        ref    String @unique
        userId String
        // @@index([createdAt])
        @@index([userId])
      }
    `;
    const evidence = async (provider: string) =>
      (await scanTree({ 'prisma/schema.prisma': schema(provider) })).evidence.filter((e) => e.ruleId === RULE).map((e) => `${e.line}: ${e.message}`);
    assert.deepStrictEqual(await evidence('postgresql'), ['7: SQL indexes declared (Prisma schema `@unique`)', '10: SQL indexes declared (Prisma schema `@@index`)']);
    assert.deepStrictEqual(await evidence('mongodb'), ['7: MongoDB indexes declared (Prisma schema `@unique`)', '10: MongoDB indexes declared (Prisma schema `@@index`)']);
  });
});
