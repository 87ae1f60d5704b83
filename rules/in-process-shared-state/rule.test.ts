import * as assert from 'assert';
import { analyzeText } from '../../server/src/engine/index';
import { config, code, findingsOf, grammarOf, hits, type TestLanguage } from '../../server/test/harness';

const ID = 'in-process-shared-state';

/** The evidence this rule records in a file: [message, text]. */
function evidence(lang: TestLanguage, src: string): [string, string][] {
  return analyzeText(src, grammarOf(lang), config())
    .evidence.filter((e) => e.ruleId === ID)
    .map((e) => [e.message, src.slice(e.start, e.end)]);
}

/** The related information of each finding: [message, text]. */
function related(lang: TestLanguage, src: string): [string, string][][] {
  return findingsOf(lang, src, ID).map((f) => f.related.map((r) => [r.message, src.slice(r.start, r.end)]));
}

describe(ID, () => {
  describe('python', () => {
    describe('WebSocket connections', () => {
      it('flags a module-level set of sockets filled in a websocket route and broadcast to', () => {
        const src = code`
          from fastapi import FastAPI, WebSocket, WebSocketDisconnect

          app = FastAPI()
          clients = set()

          @app.websocket("/ws")
          async def chat(websocket: WebSocket):
              await websocket.accept()
              clients.add(websocket)
              try:
                  while True:
                      text = await websocket.receive_text()
                      for client in clients:
                          await client.send_text(text)
              except WebSocketDisconnect:
                  clients.discard(websocket)
        `;
        assert.deepStrictEqual(hits('python', src, ID), ['clients = set()']);
        assert.deepStrictEqual(related('python', src), [
          [
            ['a connection is added to it here', 'clients.add(websocket)'],
            ['messages are sent to its connections here', 'client.send_text(text)'],
          ],
        ]);
      });

      it('follows a socket looked up by key into a name (walrus or assignment) before the send', () => {
        // The shape of a real FastAPI chat (cdxy1/fastapi-mongo-chat, src/core/websocket_manager.py).
        const src = code`
          from fastapi import WebSocket

          class ConnectionManager:
              def __init__(self):
                  self.active_connections: dict[str, WebSocket] = {}

              async def connect(self, websocket: WebSocket, user: str):
                  await websocket.accept()
                  self.active_connections[user] = websocket

              async def broadcast(self, message: dict, user: str):
                  if conn := self.active_connections.get(user):
                      await conn.send_json(message)

              async def direct(self, message: dict, user: str):
                  ws = self.active_connections[user]
                  await ws.send_json(message)

          websocket_manager = ConnectionManager()
        `;
        assert.deepStrictEqual(hits('python', src, ID), ['self.active_connections: dict[str, WebSocket] = {}']);
        const unsent = src.replace(/await conn\.send_json\(message\)/, 'print(conn)').replace('await ws.send_json(message)', 'print(ws)');
        assert.deepStrictEqual(hits('python', unsent, ID), [], 'kept but never sent to: not a broadcast');
      });

      it('flags a typed list, a dict of sockets by user and rooms of sockets', () => {
        const src = code`
          connections: list[WebSocket] = []
          by_user: dict[str, WebSocket] = {}
          rooms = defaultdict(set)

          async def notify_all(message: str):
              await asyncio.gather(*[ws.send_json(message) for ws in connections])

          @router.websocket("/ws/{user_id}")
          async def endpoint(websocket: WebSocket, user_id: str, room: str):
              by_user[user_id] = websocket
              rooms[room].add(websocket)

          async def notify(user_id: str, payload: dict):
              await by_user[user_id].send_json(payload)

          async def say(room: str, text: str):
              for peer in list(rooms.get(room, ())):
                  await peer.send_text(text)
        `;
        assert.deepStrictEqual(hits('python', src, ID), ['connections: list[WebSocket] = []', 'by_user: dict[str, WebSocket] = {}', 'rooms = defaultdict(set)']);
      });

      it('flags the ConnectionManager of the FastAPI docs at its list of connections', () => {
        const src = code`
          class ConnectionManager:
              def __init__(self):
                  self.active_connections: list[WebSocket] = []

              async def connect(self, websocket: WebSocket):
                  await websocket.accept()
                  self.active_connections.append(websocket)

              def disconnect(self, websocket: WebSocket):
                  self.active_connections.remove(websocket)

              async def broadcast(self, message: str):
                  for connection in self.active_connections:
                      await connection.send_text(message)

          manager = ConnectionManager()
        `;
        assert.deepStrictEqual(hits('python', src, ID), ['self.active_connections: list[WebSocket] = []']);
        assert.match(findingsOf('python', src, ID)[0].message, /^`ConnectionManager\.active_connections` keeps the WebSocket connections of this process/);
      });

      it('flags the websockets library broadcast and a tornado class attribute', () => {
        const src = code`
          CONNECTIONS = set()

          async def register(websocket):
              CONNECTIONS.add(websocket)
              try:
                  await websocket.wait_closed()
              finally:
                  CONNECTIONS.remove(websocket)

          async def show_time():
              websockets.broadcast(CONNECTIONS, datetime.utcnow().isoformat())

          class ChatSocketHandler(tornado.websocket.WebSocketHandler):
              waiters = set()

              def open(self):
                  ChatSocketHandler.waiters.add(self)

              @classmethod
              def send_updates(cls, chat):
                  for waiter in cls.waiters:
                      waiter.write_message(chat)
        `;
        assert.deepStrictEqual(hits('python', src, ID), ['CONNECTIONS = set()', 'waiters = set()']);
      });

      it('leaves local and per-connection collections, and collections never sent to, alone', () => {
        const src = code`
          open_sockets = set()
          handlers = []

          @app.websocket("/ws")
          async def chat(websocket: WebSocket):
              peers = set()
              peers.add(websocket)
              for p in peers:
                  await p.send_text("hi")
              open_sockets.add(websocket)
              pending = []
              pending.append(websocket)

          async def shutdown():
              for ws in open_sockets:
                  await ws.close()

          def register(handler):
              handlers.append(handler)

          def run(msg):
              for h in handlers:
                  h.send(msg)
        `;
        assert.deepStrictEqual(hits('python', src, ID), []);
      });

      it('leaves sockets alone when messages fan out through a pub/sub layer', () => {
        const withRedis = code`
          clients = set()
          redis = aioredis.from_url(settings.redis_url)

          @app.websocket("/ws")
          async def chat(websocket: WebSocket):
              clients.add(websocket)
              text = await websocket.receive_text()
              await redis.publish("chat", text)

          async def relay():
              pubsub = redis.pubsub()
              await pubsub.subscribe("chat")
              async for message in pubsub.listen():
                  for client in clients:
                      await client.send_text(message["data"])
        `;
        assert.deepStrictEqual(hits('python', withRedis, ID), []);
        const withBroadcaster = code`
          from broadcaster import Broadcast
          broadcast = Broadcast("redis://localhost:6379")
          clients = set()

          @app.websocket("/ws")
          async def chat(websocket: WebSocket):
              clients.add(websocket)
              for c in clients:
                  await c.send_text("joined")
        `;
        assert.deepStrictEqual(hits('python', withBroadcaster, ID), []);
      });

      it('records pub/sub evidence, and none for look-alikes', () => {
        const src = code`
          broadcast = Broadcast(os.environ["REDIS_URL"])

          async def relay(websocket):
              async with broadcast.subscribe(channel="chat") as subscriber:
                  async for event in subscriber:
                      await websocket.send_text(event.message)
              pubsub = redis.pubsub()
              await pubsub.subscribe(CHANNEL)
              await redis.publish("chat", text)

          class ChatConsumer(AsyncWebsocketConsumer):
              async def connect(self):
                  await self.channel_layer.group_add(self.room_group_name, self.channel_name)
        `;
        const message = 'messages fan out to every instance through a pub/sub channel';
        assert.deepStrictEqual(evidence('python', src), [
          ['broadcasts go through a pub/sub backend (broadcaster)', 'Broadcast(os.environ["REDIS_URL"])'],
          [message, 'broadcast.subscribe(channel="chat")'],
          [message, 'pubsub.subscribe(CHANNEL)'],
          [message, 'redis.publish("chat", text)'],
          [message, 'self.channel_layer.group_add(self.room_group_name, self.channel_name)'],
        ]);
        const lookalikes = code`
          stream.subscribe(on_next=print)
          bus.publish(event)
          await websocket.subscribe("chat")
          events = []
        `;
        assert.deepStrictEqual(evidence('python', lookalikes), []);
      });
    });

    describe('caches of database results', () => {
      it('flags cache decorators on functions that query the database', () => {
        const src = code`
          import functools
          from functools import cache, lru_cache
          from cachetools import cached, TTLCache
          from async_lru import alru_cache

          @lru_cache(maxsize=1024)
          def get_plan(plan_id):
              return db.plans.find_one({"_id": plan_id})

          @functools.cache
          def load_user(session, user_id):
              return session.get(User, user_id)

          @cached(TTLCache(maxsize=256, ttl=300))
          def feature_flags():
              with engine.connect() as conn:
                  rows = conn.execute(text("SELECT name, enabled FROM flags")).all()
              return {r.name: r.enabled for r in rows}

          @alru_cache(ttl=60)
          async def get_profile(user_id):
              return await request_db().profiles.find_one({"user_id": user_id})

          class PlanService:
              @cache
              def tiers(self):
                  return list(Tier.objects.filter(active=True))
        `;
        assert.deepStrictEqual(hits('python', src, ID), ['@lru_cache(maxsize=1024)', '@functools.cache', '@cached(TTLCache(maxsize=256, ttl=300))', '@alru_cache(ttl=60)', '@cache']);
        const [first, , third] = findingsOf('python', src, ID);
        assert.strictEqual(
          first.message,
          '`@lru_cache` caches the database results of `get_plan` in this process: each instance and worker keeps its own copy, so after a write handled by another instance this one keeps serving the old data until the entry is evicted or the process restarts (nothing expires it). Use a shared cache (Redis, Memcached) or invalidate the entry on every instance when the data changes.',
        );
        assert.match(third.message, /until the entry expires or is evicted/);
        assert.deepStrictEqual(related('python', src)[0], [['queries the database here', 'db.plans.find_one({"_id": plan_id})']]);
      });

      it('leaves caches of pure functions, settings, HTTP calls and shared backends alone', () => {
        const src = code`
          from functools import lru_cache
          from aiocache import cached, Cache

          @lru_cache
          def get_settings() -> Settings:
              return Settings()

          @lru_cache(maxsize=512)
          def parse_accept_language(header: str):
              return [part.split(";")[0] for part in header.split(",")]

          @lru_cache
          def exchange_rates():
              return requests.get(RATES_URL, timeout=5).json()

          @lru_cache
          def http_status(session, url):
              return session.get(url).status_code

          @cached(ttl=60, cache=Cache.REDIS, endpoint="redis")
          async def top_posts():
              return await db.posts.find({}).sort("score", -1).to_list(10)

          @app.cache.cached(timeout=50)
          def index():
              return render_template("index.html", posts=Post.query.all())

          @cache
          def own_decorator_cache():
              return db.users.find_one({})
        `;
        assert.deepStrictEqual(hits('python', src, ID), []);
      });

      it('flags module-level caches filled with query results', () => {
        const src = code`
          from cachetools import TTLCache

          user_cache = TTLCache(maxsize=10_000, ttl=600)
          _plans: dict[str, dict] = {}
          _orgs = {}

          async def get_user(user_id: str):
              if user_id in user_cache:
                  return user_cache[user_id]
              user = await db.users.find_one({"_id": user_id})
              if user is not None:
                  user_cache[user_id] = user
              return user

          async def warm_plans(conn):
              rows = await conn.fetch("SELECT * FROM plans")
              for row in rows:
                  _plans[row["id"]] = dict(row)

          def org(session, org_id):
              _orgs[org_id] = (session.get(Org, org_id), time.monotonic())
              return _orgs[org_id][0]
        `;
        assert.deepStrictEqual(hits('python', src, ID), ['user_cache = TTLCache(maxsize=10_000, ttl=600)', '_plans: dict[str, dict] = {}', '_orgs = {}']);
        assert.deepStrictEqual(related('python', src)[0], [['filled with database results here', 'user_cache[user_id] = user']]);
        assert.match(findingsOf('python', src, ID)[0].message, /^`user_cache` caches database results in this process/);
      });

      it('leaves constant dicts, registries and caches of computed values alone', () => {
        const src = code`
          PLAN_LIMITS = {"free": 100, "pro": 10_000}
          HANDLERS = {}
          _templates = {}
          _seen = {}

          def register(name):
              def wrap(fn):
                  HANDLERS[name] = fn
                  return fn
              return wrap

          def template(name):
              tpl = env.get_template(name)
              _templates[name] = tpl
              return tpl

          async def handle(event):
              user = await db.users.find_one({"_id": event.user_id})
              user = normalize(event)
              _seen[event.id] = user

          class Loader:
              def __init__(self):
                  self._cache = {}

              async def load(self, user_id):
                  self._cache[user_id] = await db.users.find_one({"_id": user_id})
        `;
        assert.deepStrictEqual(hits('python', src, ID), []);
      });

      it('leaves caches of cloud SDK calls alone, on a client named like a database client', () => {
        const src = code`
          import boto3
          from functools import lru_cache

          @lru_cache(maxsize=1)
          def account_id():
              sts = boto3.client("sts")
              return sts.get_caller_identity()["Account"]

          _heads = {}

          def head(key):
              client = make_client("s3")
              _heads[key] = client.head_object(Bucket="b", Key=key)
        `;
        assert.deepStrictEqual(hits('python', src, ID), []);
      });

      it('leaves test modules alone', () => {
        const src = code`
          import pytest
          _users = {}

          @lru_cache
          def fixture_user(user_id):
              return db.users.find_one({"_id": user_id})

          def seed(session):
              _users[1] = session.get(User, 1)
        `;
        assert.deepStrictEqual(hits('python', src, ID), []);
      });
    });

    describe('stores of record', () => {
      it('flags a module-level collection that routes write and read: a CRUD dict, a webhook\'s processed set', () => {
        const src = code`
          from fastapi import FastAPI
          app = FastAPI()

          items = {}
          processed = set()

          @app.post("/items")
          def create(item: Item):
              items[item.id] = item
              return item

          @app.get("/items/{item_id}")
          def read(item_id: str):
              return items[item_id]

          @app.post("/webhook")
          def webhook(event: dict):
              if event["id"] in processed:
                  return {"ok": True}
              processed.add(event["id"])
              return {"ok": True}
        `;
        assert.deepStrictEqual(hits('python', src, ID), ['items = {}', 'processed = set()']);
        const [f] = findingsOf('python', src, ID);
        assert.match(f.message, /`items` is the data itself, kept in this process/);
        assert.deepStrictEqual(f.related.map((r) => src.slice(r.start, r.end)), ['items[item.id] = item', 'items[item_id]']);
      });

      it('leaves constants, registries filled at import, locals, rate-limit windows and files with a shared store alone', () => {
        const src = code`
          import time
          from flask import Flask, request
          app = Flask(__name__)

          BLOCKED = {"spam", "abuse"}
          HANDLERS = {}
          HANDLERS["ping"] = lambda: "pong"
          hits = {}

          @app.get("/check/<name>")
          def check(name):
              return {"blocked": name in BLOCKED, "handler": HANDLERS.get(name) is not None}

          @app.post("/batch")
          def batch():
              items = []
              items.append(request.json)
              return {"n": len(items), "first": items[0]}

          @app.before_request
          def limit():
              now = time.time()
              window = [t for t in hits.get(request.remote_addr, []) if now - t < 60]
              hits[request.remote_addr] = window + [now]
        `;
        assert.deepStrictEqual(hits('python', src, ID), []);
        const fallback = code`
          import redis
          from fastapi import FastAPI
          app = FastAPI()
          r = redis.Redis()
          seen = set()

          @app.post("/webhook")
          def webhook(event: dict):
              if event["id"] in seen or r.get(event["id"]):
                  return {"ok": True}
              seen.add(event["id"])
              r.set(event["id"], 1, ex=3600)
        `;
        assert.deepStrictEqual(hits('python', fallback, ID), []);
      });
    });

    it('is info up to 10k users and a warning from 100k', () => {
      const src = code`
        _orgs = {}
        def org(session, org_id):
            _orgs[org_id] = session.get(Org, org_id)
      `;
      assert.deepStrictEqual(findingsOf('python', src, ID, config({ targetUsers: '1k' })).map((f) => f.severity), ['info']);
      assert.deepStrictEqual(findingsOf('python', src, ID, config({ targetUsers: '10k' })).map((f) => f.severity), ['info']);
      assert.deepStrictEqual(findingsOf('python', src, ID, config({ targetUsers: '100k' })).map((f) => f.severity), ['warning']);
      assert.deepStrictEqual(findingsOf('python', src, ID, config({ targetUsers: '1m' })).map((f) => f.severity), ['warning']);
    });
  });

  describe('go', () => {
    it('flags a package-level map of connections written to in a range loop', () => {
      const src = code`
        package main

        var clients = make(map[*websocket.Conn]bool)
        var broadcast = make(chan Message)

        func handleMessages() {
            for {
                msg := <-broadcast
                for client := range clients {
                    if err := client.WriteJSON(msg); err != nil {
                        client.Close()
                        delete(clients, client)
                    }
                }
            }
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['clients = make(map[*websocket.Conn]bool)']);
      assert.deepStrictEqual(related('go', src), [[['messages are sent to its connections here', 'client.WriteJSON(msg)']]]);
    });

    it('flags the hub of the gorilla chat example and a struct of connections by id', () => {
      const src = code`
        package chat

        type Hub struct {
            clients    map[*Client]bool
            broadcast  chan []byte
            register   chan *Client
            unregister chan *Client
        }

        type Registry struct {
            mu    sync.Mutex
            conns map[string]*websocket.Conn
        }

        func (r *Registry) SendTo(userID string, msg []byte) error {
            r.mu.Lock()
            defer r.mu.Unlock()
            return r.conns[userID].WriteMessage(websocket.TextMessage, msg)
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['clients    map[*Client]bool', 'conns map[string]*websocket.Conn']);
    });

    it('leaves local maps, maps never written to, and hubs fed by Redis pub/sub or NATS alone', () => {
      const src = code`
        package chat

        var open = map[*websocket.Conn]bool{}

        func shutdown() {
            for c := range open {
                c.Close()
            }
        }

        func serve(conn *websocket.Conn) {
            peers := make(map[*websocket.Conn]bool)
            peers[conn] = true
            for p := range peers {
                p.WriteMessage(websocket.TextMessage, []byte("hi"))
            }
        }

        type Pool struct {
            clients map[*Client]bool
            events  chan Event
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
      const fed = code`
        package chat

        type Hub struct {
            clients   map[*Client]bool
            broadcast chan []byte
        }

        func (h *Hub) listen(ctx context.Context) {
            sub := h.rdb.Subscribe(ctx, "chat")
            for msg := range sub.Channel() {
                h.broadcast <- []byte(msg.Payload)
            }
        }
      `;
      assert.deepStrictEqual(hits('go', fed, ID), []);
      const nats = code`
        package chat

        var clients = make(map[*websocket.Conn]bool)

        func relay() {
            nc, _ := nats.Connect(nats.DefaultURL)
            nc.Subscribe("chat", func(m *nats.Msg) {
                for c := range clients {
                    c.WriteMessage(websocket.TextMessage, m.Data)
                }
            })
        }
      `;
      assert.deepStrictEqual(hits('go', nats, ID), []);
    });

    it('records Redis pub/sub as evidence, and none for look-alikes', () => {
      const src = code`
        package chat

        func run(ctx context.Context) {
            rdb.Publish(ctx, "chat", payload)
            pubsub := rdb.Subscribe(context.Background(), "chat")
        }
      `;
      assert.deepStrictEqual(evidence('go', src), [
        ['messages fan out to every instance through Redis pub/sub', 'rdb.Publish(ctx, "chat", payload)'],
        ['messages fan out to every instance through Redis pub/sub', 'rdb.Subscribe(context.Background(), "chat")'],
      ]);
      const lookalikes = code`
        package chat

        func run() {
            bus.Subscribe("user.created", onCreated)
            bus.Publish("user.created", u)
        }
      `;
      assert.deepStrictEqual(evidence('go', lookalikes), []);
    });

    it('flags package-level and struct caches filled with query results', () => {
      const src = code`
        package store

        import (
            "database/sql"
            "sync"

            lru "github.com/hashicorp/golang-lru/v2"
            gocache "github.com/patrickmn/go-cache"
        )

        var planCache sync.Map
        var sessions = gocache.New(5*time.Minute, 10*time.Minute)

        type Store struct {
            db    *sql.DB
            cache *lru.Cache[int64, User]
        }

        type Directory struct {
            mu    sync.RWMutex
            users map[int64]User
            gorm  *gorm.DB
        }

        func (s *Store) User(ctx context.Context, id int64) (User, error) {
            if u, ok := s.cache.Get(id); ok {
                return u, nil
            }
            var u User
            if err := s.db.QueryRowContext(ctx, "SELECT id, email FROM users WHERE id = $1", id).Scan(&u.ID, &u.Email); err != nil {
                return User{}, err
            }
            s.cache.Add(id, u)
            return u, nil
        }

        func (d *Directory) Get(id int64) User {
            var u User
            d.gorm.First(&u, id)
            d.mu.Lock()
            d.users[id] = u
            d.mu.Unlock()
            return u
        }

        func plan(ctx context.Context, queries *db.Queries, id int64) (db.Plan, error) {
            p, err := queries.GetPlan(ctx, id)
            planCache.Store(id, p)
            return p, err
        }

        func session(ctx context.Context, token string) {
            row := pool.QueryRow(ctx, "SELECT user_id FROM sessions WHERE token = $1", token)
            var s Session
            if err := row.Scan(&s.UserID); err == nil {
                sessions.Set(token, s, gocache.DefaultExpiration)
            }
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), [
        'planCache sync.Map',
        'sessions = gocache.New(5*time.Minute, 10*time.Minute)',
        'cache *lru.Cache[int64, User]',
        'users map[int64]User',
      ]);
      assert.deepStrictEqual(related('go', src)[2], [['filled with database results here', 's.cache.Add(id, u)']]);
    });

    it('leaves route maps, caches of computed values, per-call maps and other cache packages alone', () => {
      const src = code`
        package web

        import "example.com/app/cache"

        var routes = map[string]http.HandlerFunc{"/health": health}
        var templates = map[string]*template.Template{}
        var shared *cache.Cache

        type loader struct {
            users map[int64]User
            db    *sql.DB
        }

        func tpl(name string) *template.Template {
            t := template.Must(template.ParseFiles(name))
            templates[name] = t
            return t
        }

        func (l *loader) load(ctx context.Context, id int64) User {
            var u User
            l.db.QueryRowContext(ctx, "SELECT id FROM users WHERE id = $1", id).Scan(&u.ID)
            l.users[id] = u
            shared.Set(ctx, "user", u, time.Minute)
            return u
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
    });

    it('flags a package-level map that handlers write and read (a store, a de-dup set); not a rate-limit window, not a read-only table', () => {
      const src = code`
        package main

        import (
        	"net/http"
        	"sync"
        	"time"
        )

        var (
        	mu    sync.Mutex
        	users = map[string]User{}
        	seen  = make(map[string]bool)
        	hits  = map[string][]time.Time{}
        	codes = map[string]int{"a": 1}
        )

        func createUser(w http.ResponseWriter, r *http.Request) {
        	u := decode(r)
        	mu.Lock()
        	users[u.ID] = u
        	mu.Unlock()
        }

        func getUser(w http.ResponseWriter, r *http.Request) {
        	mu.Lock()
        	u, ok := users[r.PathValue("id")]
        	mu.Unlock()
        	if ok {
        		encode(w, u)
        	}
        }

        func webhook(w http.ResponseWriter, r *http.Request) {
        	id := r.Header.Get("X-Event-Id")
        	if seen[id] {
        		return
        	}
        	seen[id] = true
        }

        func limit(w http.ResponseWriter, r *http.Request) {
        	now := time.Now()
        	hits[r.RemoteAddr] = append(hits[r.RemoteAddr], now)
        	_ = codes["a"]
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['users = map[string]User{}', 'seen  = make(map[string]bool)']);
    });

    it('leaves test files alone', () => {
      const src = code`
        package store

        import "testing"

        var clients = make(map[*websocket.Conn]bool)

        func send(m []byte) {
            for c := range clients {
                c.WriteMessage(1, m)
            }
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
    });
  });

  for (const lang of ['typescript', 'javascript'] as const) {
    describe(lang, () => {
      it('flags a module-level Set of sockets added on connection and broadcast to', () => {
        const src = code`
          const clients = new Set();

          wss.on('connection', (ws) => {
            clients.add(ws);
            ws.on('close', () => clients.delete(ws));
          });

          export function broadcast(message) {
            clients.forEach((client) => {
              if (client.readyState === 1) client.send(JSON.stringify(message));
            });
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ['clients = new Set()']);
        assert.deepStrictEqual(related(lang, src), [
          [
            ['a connection is added to it here', 'clients.add(ws)'],
            ['messages are sent to its connections here', 'client.send(JSON.stringify(message))'],
          ],
        ]);
      });

      it('flags an array and a Map of sockets by user', () => {
        const src = code`
          let sockets = [];
          const byUser = new Map();

          io.on('connection', (socket) => {
            sockets.push(socket);
            byUser.set(socket.handshake.auth.userId, socket);
          });

          function announce(text) {
            for (const s of sockets) s.emit('announcement', text);
          }

          function notify(userId, payload) {
            byUser.get(userId)?.emit('notification', payload);
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ['sockets = []', 'byUser = new Map()']);
      });

      it('flags a ws server broadcasting over wss.clients', () => {
        const src = code`
          const wss = new WebSocketServer({ server });

          function broadcast(data) {
            wss.clients.forEach((client) => {
              if (client.readyState === WebSocket.OPEN) client.send(data);
            });
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ['new WebSocketServer({ server })']);
        assert.match(findingsOf(lang, src, ID)[0].message, /^Broadcasting over `wss\.clients` reaches only the WebSocket clients connected to this process/);
      });

      it('knows the ws server by its other names', () => {
        const cjs = code`
          const WebSocket = require('ws');
          const wss = new WebSocket.Server({ port: 8080 });
          const shout = (m) => wss.clients.forEach((c) => c.send(m));
        `;
        assert.deepStrictEqual(hits(lang, cjs, ID), ['new WebSocket.Server({ port: 8080 })']);
        const esm = code`
          import { Server } from 'ws';
          const hub = new Server({ noServer: true });
          export function shout(m) {
            for (const c of hub.clients) c.send(m);
          }
        `;
        assert.deepStrictEqual(hits(lang, esm, ID), ['new Server({ noServer: true })']);
      });

      it('leaves the heartbeat over wss.clients, local sets and lookup tables alone', () => {
        const src = code`
          const wss = new WebSocketServer({ port: 8080 });
          const STATUS = new Map([['active', 1], ['banned', 2]]);
          const ROLES = { admin: 3, member: 1 };

          setInterval(() => {
            wss.clients.forEach((ws) => {
              if (ws.isAlive === false) return ws.terminate();
              ws.isAlive = false;
              ws.ping();
            });
          }, 30000);

          wss.on('connection', (ws) => {
            const peers = new Set();
            peers.add(ws);
            peers.forEach((p) => p.send('hello'));
          });

          app.get('/status', (req, res) => {
            res.send(STATUS.get(req.query.s));
          });
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });

      it('flags socket.io servers without an adapter', () => {
        const esm = code`
          import { Server } from 'socket.io';
          export const io = new Server(httpServer, { cors: { origin: '*' } });
          io.on('connection', (socket) => socket.join(socket.data.room));
        `;
        assert.deepStrictEqual(hits(lang, esm, ID), ["new Server(httpServer, { cors: { origin: '*' } })"]);
        assert.match(findingsOf(lang, esm, ID)[0].message, /^This socket\.io server has no adapter/);
        const cjs = code`
          const io = require('socket.io')(server);
          const { Server: IOServer } = require('socket.io');
          const admin = new IOServer(adminServer);
        `;
        assert.deepStrictEqual(hits(lang, cjs, ID), ["require('socket.io')(server)", 'new IOServer(adminServer)']);
      });

      it('leaves socket.io with a Redis adapter, and other Server classes, alone', () => {
        const adapter = code`
          import { Server } from 'socket.io';
          import { createAdapter } from '@socket.io/redis-adapter';
          const io = new Server(httpServer);
          io.adapter(createAdapter(pubClient, subClient));
        `;
        assert.deepStrictEqual(hits(lang, adapter, ID), []);
        const option = code`
          const { Server } = require('socket.io');
          const io = new Server(httpServer, { adapter: createAdapter(pool) });
        `;
        assert.deepStrictEqual(hits(lang, option, ID), []);
        const other = code`
          import { Server } from 'http';
          const server = new Server(app);
        `;
        assert.deepStrictEqual(hits(lang, other, ID), []);
      });

      it('leaves sockets alone when messages fan out through Redis pub/sub', () => {
        const src = code`
          const clients = new Set();
          const subscriber = redis.duplicate();
          await subscriber.subscribe('chat', (message) => {
            for (const c of clients) c.send(message);
          });
          wss.on('connection', (ws) => clients.add(ws));
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });

      it('records pub/sub evidence, and none for look-alikes', () => {
        const src = code`
          io.adapter(createAdapter(pubClient, subClient));
          await subscriber.subscribe('chat', onMessage);
          await publisher.publish(CHAT_CHANNEL, JSON.stringify(msg));
          const admin = new Server(adminServer, { adapter: createAdapter(pool) });
        `;
        const message = 'messages fan out to every instance through a pub/sub channel';
        assert.deepStrictEqual(evidence(lang, src), [
          [message, 'io.adapter(createAdapter(pubClient, subClient))'],
          [message, "subscriber.subscribe('chat', onMessage)"],
          [message, 'publisher.publish(CHAT_CHANNEL, JSON.stringify(msg))'],
          [message, 'adapter: createAdapter(pool)'],
        ]);
        const lookalikes = code`
          source$.subscribe((value) => console.log(value));
          store.subscribe(render);
          ws.subscribe('room');
          app.publish('room', msg);
          emitter.emit('chat', msg);
          orm.adapter(config);
        `;
        assert.deepStrictEqual(evidence(lang, lookalikes), []);
      });

      it('flags module-level caches filled with query results', () => {
        const src = code`
          const userCache = new NodeCache({ stdTTL: 60 });
          const planCache = new LRUCache({ max: 500 });
          const orgs = new Map();
          const teams = {};

          export async function getUser(id) {
            const cached = userCache.get(id);
            if (cached) return cached;
            const user = await User.findById(id).lean();
            userCache.set(id, user);
            return user;
          }

          export async function getPlan(id) {
            planCache.set(id, await prisma.plan.findUnique({ where: { id } }));
            return planCache.get(id);
          }

          export async function getOrg(id) {
            const { rows } = await pool.query('SELECT * FROM orgs WHERE id = $1', [id]);
            orgs.set(id, { value: rows[0], at: Date.now() });
            return rows[0];
          }

          export async function loadTeams() {
            for (const team of await db.collection('teams').find({}).toArray()) {
              teams[team._id] = team;
            }
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), [
          'userCache = new NodeCache({ stdTTL: 60 })',
          'planCache = new LRUCache({ max: 500 })',
          'orgs = new Map()',
          'teams = {}',
        ]);
        assert.deepStrictEqual(related(lang, src)[0], [['filled with database results here', 'userCache.set(id, user)']]);
      });

      it('leaves caches of computed values, Array#find results and per-request maps alone', () => {
        const src = code`
          const rendered = new Map();
          const lookups = new Map();
          const counters = {};

          export function render(name, tpl) {
            rendered.set(name, compile(tpl));
          }

          export function pick(users, id) {
            lookups.set(id, users.find((u) => u.id === id));
          }

          export async function handler(req, res) {
            const seen = new Map();
            seen.set(req.params.id, await User.findById(req.params.id));
            counters[req.path] = (counters[req.path] || 0) + 1;
            res.json([...seen.values()]);
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });

      it('leaves test files alone', () => {
        const src = code`
          const cache = new Map();
          describe('users', () => {
            it('caches', async () => {
              cache.set(1, await User.findById(1));
            });
          });
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });
    });
  }

  describe('python: server-sent events', () => {
    it('flags a module-level collection of the queues that feed open event streams, written to by other requests; not with a pub/sub layer, nor queues kept for another reason', () => {
      const src = code`
        import asyncio

        from fastapi import FastAPI, Request
        from sse_starlette.sse import EventSourceResponse

        app = FastAPI()
        subscribers: list[asyncio.Queue] = []
        jobs = []

        @app.get("/events")
        async def events(request: Request):
            queue = asyncio.Queue()
            subscribers.append(queue)

            async def stream():
                try:
                    while True:
                        yield {"data": await queue.get()}
                finally:
                    subscribers.remove(queue)

            return EventSourceResponse(stream())

        @app.post("/orders")
        async def create_order(order: dict):
            for q in subscribers:
                await q.put(order)
            return order

        @app.post("/jobs")
        async def enqueue(job: dict):
            work = asyncio.Queue()
            jobs.append(work)
            for w in jobs:
                w.put_nowait(job)
            return job
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['subscribers: list[asyncio.Queue] = []']);
      assert.match(findingsOf('python', src, ID)[0].message, /^`subscribers` keeps the open server-sent event streams of this process/);
      // A StreamingResponse named by its content type is the same protocol.
      const streaming = src.replace('return EventSourceResponse(stream())', 'return StreamingResponse(stream(), media_type="text/event-stream")').replace('from sse_starlette.sse import EventSourceResponse', 'from fastapi.responses import StreamingResponse');
      assert.deepStrictEqual(hits('python', streaming, ID), ['subscribers: list[asyncio.Queue] = []']);
      // Events that arrive through a shared channel reach every instance's streams.
      const withRedis = src.replace('app = FastAPI()', 'app = FastAPI()\nredis = Redis.from_url("redis://cache")\npubsub = redis.pubsub()').replace('import asyncio', 'import asyncio\nfrom redis.asyncio import Redis');
      assert.deepStrictEqual(hits('python', withRedis, ID), []);
    });
  });

  describe('go: server-sent events', () => {
    it('flags a map of the channels that feed open event streams, sent to by other code; not channels kept for other work, nor with Redis pub/sub', () => {
      const src = code`
        package main

        import (
        	"fmt"
        	"net/http"
        	"sync"
        )

        type Broker struct {
        	mu      sync.Mutex
        	clients map[chan string]bool
        	workers map[chan string]bool
        }

        var subscribers = make(map[string]chan string)

        func (b *Broker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
        	w.Header().Set("Content-Type", "text/event-stream")
        	ch := make(chan string, 8)
        	b.mu.Lock()
        	b.clients[ch] = true
        	b.mu.Unlock()
        	subscribers[r.URL.Query().Get("user")] = ch
        	for msg := range ch {
        		fmt.Fprintf(w, "data: %s\n\n", msg)
        	}
        }

        func (b *Broker) Publish(msg string) {
        	for ch := range b.clients {
        		ch <- msg
        	}
        }

        func Notify(msg string) {
        	for _, ch := range subscribers {
        		ch <- msg
        	}
        }

        func (b *Broker) startWorker() {
        	w := make(chan string)
        	b.workers[w] = true
        	for ch := range b.workers {
        		ch <- "go"
        	}
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['clients map[chan string]bool', 'subscribers = make(map[string]chan string)']);
      assert.match(findingsOf('go', src, ID)[0].message, /^`Broker\.clients` keeps the open server-sent event streams of this process/);
      const withRedis = src
        .replace('"sync"\n)', '"sync"\n\n\t"github.com/redis/go-redis/v9"\n)')
        .replace('var subscribers', 'var rdb = redis.NewClient(&redis.Options{Addr: "cache:6379"})\n\nfunc listen() { _ = rdb.Subscribe(context.Background(), "orders") }\n\nvar subscribers');
      assert.deepStrictEqual(hits('go', withRedis, ID), []);
    });
  });

  describe('typescript', () => {
    it('flags a collection of open server-sent event streams that requests write to; not with a pub/sub layer, nor responses kept for another reason', () => {
      const src = code`
        import express, { type Request, type Response } from 'express';

        const app = express();
        const clients = new Set<Response>();
        const pending: Response[] = [];

        app.get('/events', (req: Request, res: Response) => {
          res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
          clients.add(res);
          req.on('close', () => clients.delete(res));
        });

        app.post('/orders', (req: Request, res: Response) => {
          for (const client of clients) client.write(\`data: \${JSON.stringify(req.body)}\n\n\`);
          res.sendStatus(201);
        });

        app.get('/report', (req: Request, res: Response) => {
          pending.push(res);
          for (const r of pending) r.write('x');
        });
      `;
      assert.deepStrictEqual(hits('typescript', src, ID), ['clients = new Set<Response>()']);
      const [f] = findingsOf('typescript', src, ID);
      assert.match(f.message, /^`clients` keeps the open server-sent event streams of this process/);
      const withRedis = src.replace("import express", "import Redis from 'ioredis';\nconst sub = new Redis();\nsub.subscribe('orders');\nimport express");
      assert.deepStrictEqual(hits('typescript', withRedis, ID), []);
    });

    it('flags an in-process graphql-subscriptions PubSub under any name, not a shared RedisPubSub or a project class of that name', () => {
      const src = code`
        import { Injectable } from '@nestjs/common';
        import { PubSub as LocalPubSub } from 'graphql-subscriptions';

        @Injectable()
        export class PubSubService {
          private pubsub: LocalPubSub;

          onModuleInit() {
            this.pubsub = new LocalPubSub();
          }

          async publish(topic: string, payload: unknown) {
            await this.pubsub.publish(topic, payload);
          }
        }
      `;
      assert.deepStrictEqual(hits('typescript', src, ID), ['new LocalPubSub()']);
      assert.match(findingsOf('typescript', src, ID)[0].message, /^`PubSub` of graphql-subscriptions keeps its subscribers in this process/);
      const shared = code`
        import { RedisPubSub } from 'graphql-redis-subscriptions';
        import { PubSub } from './events/pubsub';

        export const pubsub = new RedisPubSub({ publisher, subscriber });
        export const local = new PubSub();
        export async function notify(topic: string, payload: unknown) {
          await pubsub.publish(topic, payload);
        }
      `;
      assert.deepStrictEqual(hits('typescript', shared, ID), []);
    });

    it('flags a module-level Map or Set that routes write and read; not a rate-limit window keyed by address, not one filled at start-up', () => {
      const src = code`
        import express from 'express';
        const app = express();
        const todos = new Map<string, Todo>();
        const seen = new Set<string>();
        const hits = new Map<string, number>();
        const routes = new Map<string, string>();
        routes.set('home', '/');

        app.post('/todos', (req, res) => {
          const todo = { id: req.body.id, title: req.body.title };
          todos.set(todo.id, todo);
          res.json(todo);
        });
        app.get('/todos/:id', (req, res) => {
          res.json(todos.get(req.params.id) ?? routes.get('home'));
        });
        app.post('/webhook', (req, res) => {
          if (seen.has(req.body.id)) return res.sendStatus(200);
          seen.add(req.body.id);
          res.sendStatus(200);
        });
        app.use((req, res, next) => {
          const key = req.ip;
          hits.set(key, (hits.get(key) ?? 0) + 1);
          next();
        });
      `;
      assert.deepStrictEqual(hits('typescript', src, ID), ['todos = new Map<string, Todo>()', 'seen = new Set<string>()']);
    });

    it('leaves a cache of a storage SDK call alone, on a client named like a database client', () => {
      const src = code`
        const cache = new Map();
        const client = createStorageClient();

        export async function head(key: string) {
          cache.set(key, await client.headObject(key));
        }
      `;
      assert.deepStrictEqual(hits('typescript', src, ID), []);
    });

    it('follows query results into a forEach that fills a cache', () => {
      const src = code`
        const skus = new Map<string, Sku>();
        const labels = new Map<string, string>();

        export async function warmSkus(): Promise<void> {
          const { rows } = await pool.query('SELECT sku, name, price FROM skus');
          rows.forEach((row: Sku) => skus.set(row.sku, row));
          rows.forEach((row: Sku) => labels.set(row.sku, row.name.toUpperCase()));
        }
      `;
      assert.deepStrictEqual(hits('typescript', src, ID), ['skus = new Map<string, Sku>()']);
    });

    it('flags typed collections and class fields of sockets', () => {
      const src = code`
        const sockets: WebSocket[] = [];

        export function fanOut(payload: string): void {
          sockets.forEach((s) => s.send(payload));
        }

        export class Hub {
          private readonly clients = new Map<string, WebSocket>();

          join(userId: string, ws: WebSocket): void {
            this.clients.set(userId, ws);
          }

          broadcast(msg: string): void {
            for (const ws of this.clients.values()) ws.send(msg);
          }
        }
      `;
      assert.deepStrictEqual(hits('typescript', src, ID), ['sockets: WebSocket[] = []', 'private readonly clients = new Map<string, WebSocket>()']);
    });
  });

  describe('process-local caches that request handlers invalidate', () => {
    it('python: a cache type or a dict named as a cache, dropped by a route; not when only start-up code clears it, nor a store no route reads', () => {
      const src = code`
        from cachetools import TTLCache
        from fastapi import FastAPI

        from app.users import load_user, save_user

        app = FastAPI()
        user_cache = TTLCache(maxsize=10_000, ttl=300)
        profile_cache = {}
        plan_cache = TTLCache(maxsize=100, ttl=60)
        pending = {}

        @app.get("/users/{uid}")
        def get_user(uid: str):
            if uid not in user_cache:
                user_cache[uid] = load_user(uid)
            return user_cache[uid]

        @app.put("/users/{uid}")
        def update_user(uid: str, body: dict):
            save_user(uid, body)
            user_cache.pop(uid, None)
            del profile_cache[uid]
            pending.pop(uid, None)
            return {}

        @app.on_event("startup")
        def warm():
            plan_cache.clear()
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['user_cache = TTLCache(maxsize=10_000, ttl=300)', 'profile_cache = {}']);
      const [first] = findingsOf('python', src, ID);
      assert.match(first.message, /^`user_cache` is a cache kept in this process, and request handlers invalidate it .* until the entry expires or is evicted/);
    });

    it('typescript: node-cache and a Map named as a cache, deleted by a route; not a Map the module only fills', () => {
      const src = code`
        import express from 'express';
        import NodeCache from 'node-cache';
        import { loadUser } from './users';

        const app = express();
        const userCache = new NodeCache({ stdTTL: 600 });
        const avatarCache = new Map<string, string>();
        const routes = new Map<string, string>();

        app.get('/users/:id', async (req, res) => {
          res.json(userCache.get(req.params.id) ?? (await loadUser(req.params.id)));
        });
        app.patch('/users/:id', async (req, res) => {
          userCache.del(req.params.id);
          avatarCache.delete(req.params.id);
          res.sendStatus(204);
        });
        export function reset() {
          routes.clear();
        }
      `;
      assert.deepStrictEqual(hits('typescript', src, ID), ['userCache = new NodeCache({ stdTTL: 600 })', 'avatarCache = new Map<string, string>()']);
    });

    it('go: a cache package type in a struct, invalidated by a handler method; a package map named as a cache', () => {
      const src = code`
        package api

        import (
        	"net/http"
        	"sync"

        	lru "github.com/hashicorp/golang-lru/v2"
        )

        var planCache = map[string]Plan{}
        var planMu sync.Mutex

        type Handler struct {
        	users *lru.Cache[string, User]
        }

        func (h *Handler) UpdateUser(w http.ResponseWriter, r *http.Request) {
        	id := r.PathValue("id")
        	h.users.Remove(id)
        	planMu.Lock()
        	delete(planCache, id)
        	planMu.Unlock()
        	w.WriteHeader(http.StatusNoContent)
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['planCache = map[string]Plan{}', 'users *lru.Cache[string, User]']);
    });
  });

  describe('process-wide locks around a check and a write', () => {
    it('python: asyncio.Lock held by a route across a read and a write; not around a write alone, in start-up code, or a local lock', () => {
      const src = code`
        import asyncio

        from fastapi import FastAPI
        from motor.motor_asyncio import AsyncIOMotorClient

        app = FastAPI()
        db = AsyncIOMotorClient("mongodb://db", maxPoolSize=50).shop
        booking_lock = asyncio.Lock()
        audit_lock = asyncio.Lock()

        @app.post("/seats/{seat_id}/book")
        async def book(seat_id: str, user_id: str):
            async with booking_lock:
                seat = await db.seats.find_one({"_id": seat_id})
                if seat["holder"] is None:
                    await db.seats.update_one({"_id": seat_id}, {"$set": {"holder": user_id}})
            return {"ok": True}

        @app.post("/audit")
        async def audit(entry: dict):
            async with audit_lock:
                await db.audit.insert_one(entry)
            return {}
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['booking_lock = asyncio.Lock()']);
      const [f] = findingsOf('python', src, ID);
      assert.match(f.message, /^`booking_lock` is a lock of this process, and a request handler or job holds it while it reads and then writes the database/);
    });

    it('go: a package-level sync.Mutex from Lock() to Unlock() around a count and an insert; not a mutex guarding a map', () => {
      const src = code`
        package api

        import (
        	"database/sql"
        	"net/http"
        	"sync"
        )

        var db *sql.DB
        var signupMu sync.Mutex
        var statsMu sync.Mutex
        var stats = map[string]int{}

        func Signup(w http.ResponseWriter, r *http.Request) {
        	email := r.FormValue("email")
        	signupMu.Lock()
        	defer signupMu.Unlock()
        	var n int
        	db.QueryRowContext(r.Context(), "SELECT count(*) FROM users WHERE email = $1", email).Scan(&n)
        	if n == 0 {
        		db.ExecContext(r.Context(), "INSERT INTO users (email) VALUES ($1)", email)
        	}
        }

        func Hit(w http.ResponseWriter, r *http.Request) {
        	statsMu.Lock()
        	stats[r.URL.Path]++
        	statsMu.Unlock()
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID).filter((h) => h.includes('Mu')), ['signupMu sync.Mutex']);
    });

    it('typescript: async-mutex runExclusive around a findUnique and an update; not a Semaphore, nor outside a handler', () => {
      const src = code`
        import express from 'express';
        import { Mutex, Semaphore } from 'async-mutex';
        import { PrismaClient } from '@prisma/client';

        const prisma = new PrismaClient();
        const app = express();
        const walletMutex = new Mutex();
        const uploads = new Semaphore(4);

        app.post('/wallet/spend', async (req, res) => {
          await walletMutex.runExclusive(async () => {
            const wallet = await prisma.wallet.findUnique({ where: { id: req.body.id } });
            if (wallet && wallet.balance >= req.body.amount) {
              await prisma.wallet.update({ where: { id: wallet.id }, data: { balance: wallet.balance - req.body.amount } });
            }
          });
          res.sendStatus(204);
        });
      `;
      assert.deepStrictEqual(hits('typescript', src, ID), ['walletMutex = new Mutex()']);
    });
  });
});
