import * as assert from 'assert';
import { code, config, findingsOf, hits, workspaceHits } from '../../server/test/harness';

const ID = 'per-request-db-write';

describe(ID, () => {
  describe('python', () => {
    it('flags writes in FastAPI/Starlette middleware (@app.middleware("http"), BaseHTTPMiddleware.dispatch)', () => {
      const src = code`
        @app.middleware("http")
        async def audit(request: Request, call_next):
            response = await call_next(request)
            await db.request_log.insert_one({"path": request.url.path, "status": response.status_code})
            return response

        class ActivityMiddleware(BaseHTTPMiddleware):
            async def dispatch(self, request, call_next):
                if request.state.user_id:
                    await db.users.update_one({"_id": request.state.user_id}, {"$set": {"last_seen": utcnow()}}, upsert=True)
                return await call_next(request)

        @app.middleware("http")
        async def record(request, nxt):
            async with SessionLocal() as session:
                session.add(PageView(path=request.url.path))
                await session.commit()
            return await nxt(request)
      `;
      assert.deepStrictEqual(hits('python', src, ID), [
        'db.request_log.insert_one({"path": request.url.path, "status": response.status_code})',
        'db.users.update_one({"_id": request.state.user_id}, {"$set": {"last_seen": utcnow()}}, upsert=True)',
        'session.add(PageView(path=request.url.path))',
      ]);
    });

    it('flags writes in Flask before_request / after_request hooks, also when registered by name', () => {
      const src = code`
        @app.before_request
        def track_visit():
            db.session.add(Visit(path=request.path, user_id=g.user_id))
            db.session.commit()

        @bp.after_app_request
        def audit_response(response):
            db.session.execute(insert(AuditLog).values(path=request.path, status=response.status_code))
            db.session.commit()
            return response

        @app.teardown_request
        def log_request(exc):
            db.session.execute(text("INSERT INTO hits (path) VALUES (:p)"), {"p": request.path})

        def record_hit():
            db.session.add(Hit(path=request.path))

        app.before_request(record_hit)
      `;
      assert.deepStrictEqual(hits('python', src, ID), [
        'db.session.add(Visit(path=request.path, user_id=g.user_id))',
        'db.session.execute(insert(AuditLog).values(path=request.path, status=response.status_code))',
        'db.session.execute(text("INSERT INTO hits (path) VALUES (:p)"), {"p": request.path})',
        'db.session.add(Hit(path=request.path))',
      ]);
      const registered = findingsOf('python', src, ID)[3];
      assert.deepStrictEqual(
        registered.related.map((r) => [src.slice(r.start, r.end), r.message]),
        [['record_hit', 'registered here to run on every request']],
      );
    });

    it('flags writes in Django and pure ASGI middleware, and supabase-py inserts', () => {
      const src = code`
        class LastSeenMiddleware(MiddlewareMixin):
            def process_request(self, request):
                if request.user.is_authenticated:
                    User.objects.filter(pk=request.user.pk).update(last_seen=timezone.now())

        def audit_middleware(get_response):
            def middleware(request):
                response = get_response(request)
                AuditEntry.objects.create(path=request.path, status=response.status_code)
                return response
            return middleware

        class RequestLogMiddleware:
            def __init__(self, get_response):
                self.get_response = get_response

            def __call__(self, request):
                entry = RequestLog(path=request.path)
                entry.save()
                request.user.save(update_fields=["last_login"])
                return self.get_response(request)

        class RequestLogger(BaseHTTPMiddleware):
            async def dispatch(self, request, call_next):
                response = await call_next(request)
                supabase.table("api_request_logs").insert({"path": request.url.path}).execute()
                supabase.table("profiles").select("plan").eq("id", request.state.uid).execute()
                return response

        class HitCounter:
            def __init__(self, app):
                self.app = app

            async def __call__(self, scope, receive, send):
                if scope["type"] == "http":
                    await conn.execute("INSERT INTO hits (path) VALUES ($1)", scope["path"])
                await self.app(scope, receive, send)
      `;
      assert.deepStrictEqual(hits('python', src, ID), [
        'User.objects.filter(pk=request.user.pk).update(last_seen=timezone.now())',
        'AuditEntry.objects.create(path=request.path, status=response.status_code)',
        'entry.save()',
        'request.user.save(update_fields=["last_login"])',
        'supabase.table("api_request_logs").insert({"path": request.url.path})',
        'conn.execute("INSERT INTO hits (path) VALUES ($1)", scope["path"])',
      ]);
    });

    it('still flags a write handed to asyncio.create_task, and says why', () => {
      const src = code`
        @app.middleware("http")
        async def audit(request, call_next):
            asyncio.create_task(db.audit.insert_one({"path": request.url.path}))
            return await call_next(request)
      `;
      const [f] = findingsOf('python', src, ID);
      assert.strictEqual(src.slice(f.start, f.end), 'db.audit.insert_one({"path": request.url.path})');
      assert.strictEqual(
        f.message,
        '`db.audit.insert_one(...)` writes to the database in the `audit` middleware, which runs on every request: one more write on the primary for every request to every route (at 100k users, about 1,000 writes/s). Running it in a task (`asyncio.create_task`) takes it off the response time, not off the database. Buffer the rows in memory and write them in batches (a periodic flush or a queue), or write a sample.',
      );
      assert.strictEqual(f.severity, 'warning');
    });

    it('scales the message and the severity with the target', () => {
      const src = code`
        @app.before_request
        def track_visit():
            db.session.add(Visit(path=request.path))
      `;
      const [f] = findingsOf('python', src, ID, config({ targetUsers: '1k' }));
      assert.strictEqual(f.severity, 'info');
      assert.match(f.message, /at 1k users, about 10 writes\/s/);
      const [g] = findingsOf('python', src, ID, config({ targetUsers: '1m' }));
      assert.strictEqual(g.severity, 'warning');
      assert.match(g.message, /at 1m users, about 10,000 writes\/s/);
      assert.match(g.message, /the `before_request` hook `track_visit`/);
    });

    it('leaves route handlers, reads, rare paths and in-memory buffers alone', () => {
      const src = code`
        @app.post("/users")
        async def create_user(body: UserIn):
            await db.users.insert_one(body.model_dump())

        @app.middleware("http")
        async def load_session(request, call_next):
            request.state.session = await db.sessions.find_one({"token": request.cookies.get("sid")})
            rows = await conn.execute("SELECT 1")
            return await call_next(request)

        @app.middleware("http")
        async def error_log(request, call_next):
            try:
                response = await call_next(request)
            except Exception:
                await db.errors.insert_one({"path": request.url.path})
                raise
            if response.status_code >= 500:
                await db.errors.insert_one({"path": request.url.path, "status": response.status_code})
            if random.random() < 0.01:
                await db.samples.insert_one({"path": request.url.path})
            if should_sample(request):
                await db.samples.insert_one({"path": request.url.path})
            return response

        class LastSeen(BaseHTTPMiddleware):
            async def dispatch(self, request, call_next):
                user = request.state.user
                if user and utcnow() - user["last_seen"] > LAST_SEEN_EVERY:
                    await db.users.update_one({"_id": user["_id"]}, {"$set": {"last_seen": utcnow()}})
                if user and user["seen"] < datetime.now(timezone.utc) - timedelta(minutes=5):
                    await db.users.update_one({"_id": user["_id"]}, {"$set": {"last_seen": utcnow()}})
                return await call_next(request)

        @app.middleware("http")
        async def buffered(request, call_next):
            response = await call_next(request)
            audit_buffer.append({"path": request.url.path})
            audit_queue.put_nowait({"path": request.url.path})
            seen_ips.add(request.client.host)
            response.headers.update({"x-served-by": HOST})
            logger.info("request %s", request.url.path)
            REQUESTS.inc()
            response.background = BackgroundTask(write_audit, request.url.path)
            return response

        @app.before_first_request
        def seed():
            db.session.add(Setting(key="boot"))

        def save_user(user):
            db.session.add(user)

        @app.before_request
        def remember():
            session.modified = True
            request.session.save()
            items.insert(0, request.path)

        def audit_middleware(get_response):
            Config.objects.update_or_create(key="audit", defaults={"on": True})
            def middleware(request):
                return get_response(request)
            return middleware
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('flags the common path of a rare-path test (the else branch, an `or` with a common condition)', () => {
      const src = code`
        @app.middleware("http")
        async def audit(request, call_next):
            response = await call_next(request)
            if response.status_code >= 500:
                logger.error("failed")
            else:
                await db.audit.insert_one({"path": request.url.path})
            if response.status_code >= 500 or request.method == "POST":
                await db.writes.insert_one({"path": request.url.path})
            return response
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['db.audit.insert_one({"path": request.url.path})', 'db.writes.insert_one({"path": request.url.path})']);
    });

    it('flags a project helper that writes, called from a request hook, and names what it reaches', () => {
      const src = code`
        from flask import Flask, g
        from flask_sqlalchemy import SQLAlchemy

        app = Flask(__name__)
        db = SQLAlchemy(app)

        def touch_last_seen(user_id):
            db.session.add(Visit(user_id=user_id))
            db.session.commit()

        @app.before_request
        def track():
            if g.user:
                touch_last_seen(g.user.id)
      `;
      const [f, ...rest] = findingsOf('python', src, ID);
      assert.strictEqual(rest.length, 0);
      assert.strictEqual(src.slice(f.start, f.end), 'touch_last_seen(g.user.id)');
      assert.match(f.message, /^`touch_last_seen\(\.\.\.\)` writes to the database \(it reaches `db\.session\.add` \(line 8\)\) in the `before_request` hook `track`/);
      assert.deepStrictEqual(f.related.map((r) => src.slice(r.start, r.end)), ['db.session.add(Visit(user_id=user_id))']);
    });

    it('leaves writes that happen once per user or session alone: created when missing, saved when changed, on the login path', () => {
      const src = code`
        from flask import Flask, g, request
        from flask_sqlalchemy import SQLAlchemy

        app = Flask(__name__)
        db = SQLAlchemy(app)

        def create_profile(user_id):
            db.session.add(Profile(user_id=user_id))

        @app.before_request
        def ensure_profile():
            profile = Profile.query.get(g.user.id)
            if profile is None:
                create_profile(g.user.id)
            if not g.profile:
                db.session.add(Profile(user_id=g.user.id))

        @app.after_request
        def save_session(response):
            if request.session.modified:
                db.session.add(SessionRow(data=request.session.data))
            return response

        @app.before_request
        def tracker():
            track = Tracking.query.filter_by(ip=request.remote_addr, user_id=g.user.id).first()
            if track:
                track.date = utcnow()
            else:
                db.session.add(Tracking(ip=request.remote_addr, user_id=g.user.id))

        @app.before_request
        def login_from_header():
            if current_user.is_authenticated:
                return
            user = User.query.filter_by(name=request.headers["X-Remote-User"]).first()
            db.session.add(LoginEvent(user_id=user.id))
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });
  });
  describe('go', () => {
    it('flags writes in net/http, chi-style and echo middleware', () => {
      const src = code`
        package main

        func Audit(db *sql.DB) func(http.Handler) http.Handler {
        	return func(next http.Handler) http.Handler {
        		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
        			next.ServeHTTP(w, r)
        			db.ExecContext(r.Context(), "INSERT INTO request_log (path) VALUES ($1)", r.URL.Path)
        		})
        	}
        }

        func LastSeen(next http.Handler) http.Handler {
        	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
        		store.pool.Exec(r.Context(), updateLastSeenSQL, userID(r))
        		next.ServeHTTP(w, r)
        	})
        }

        func EchoAudit(next echo.HandlerFunc) echo.HandlerFunc {
        	return func(c echo.Context) error {
        		events.InsertOne(c.Request().Context(), bson.M{"path": c.Path()})
        		return next(c)
        	}
        }

        func (a *auditor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
        	a.db.Exec("UPDATE api_keys SET last_used = now() WHERE key = $1", r.Header.Get("X-Api-Key"))
        	a.next.ServeHTTP(w, r)
        }

        func Negroni(w http.ResponseWriter, r *http.Request, next http.HandlerFunc) {
        	next(w, r)
        	s.queries.InsertHit(r.Context(), r.URL.Path)
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), [
        'db.ExecContext(r.Context(), "INSERT INTO request_log (path) VALUES ($1)", r.URL.Path)',
        'store.pool.Exec(r.Context(), updateLastSeenSQL, userID(r))',
        'events.InsertOne(c.Request().Context(), bson.M{"path": c.Path()})',
        'a.db.Exec("UPDATE api_keys SET last_used = now() WHERE key = $1", r.Header.Get("X-Api-Key"))',
        's.queries.InsertHit(r.Context(), r.URL.Path)',
      ]);
    });

    it('flags writes in gin and chi middleware: c.Next(), registered with Use, passed to Use; names the middleware', () => {
      const src = code`
        package main

        func GinAudit(db *gorm.DB) gin.HandlerFunc {
        	return func(c *gin.Context) {
        		c.Next()
        		db.Create(&AuditLog{Path: c.Request.URL.Path, Status: c.Writer.Status()})
        	}
        }

        func Track(c *gin.Context) {
        	db.WithContext(c).Save(&Visit{Path: c.FullPath()})
        }

        func routes(r *gin.Engine, db *gorm.DB) {
        	r.Use(Track)
        	r.Use(func(c *gin.Context) {
        		db.Model(&User{}).Where("id = ?", c.GetInt("uid")).Update("last_seen", time.Now())
        	})
        	r.GET("/orders", listOrders)
        }

        func chiRoutes(r chi.Router, db *sql.DB) {
        	r.Use(func(next http.Handler) http.Handler {
        		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
        			db.Exec("INSERT INTO hits (path) VALUES ($1)", r.URL.Path)
        			next.ServeHTTP(w, r)
        		})
        	})
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), [
        'db.Create(&AuditLog{Path: c.Request.URL.Path, Status: c.Writer.Status()})',
        'db.WithContext(c).Save(&Visit{Path: c.FullPath()})',
        'db.Model(&User{}).Where("id = ?", c.GetInt("uid")).Update("last_seen", time.Now())',
        'db.Exec("INSERT INTO hits (path) VALUES ($1)", r.URL.Path)',
      ]);
      const found = findingsOf('go', src, ID);
      assert.deepStrictEqual(found[1].related.map((r) => src.slice(r.start, r.end)), ['Track']);
      assert.deepStrictEqual(
        found.map((f) => /in (the .*?), which runs/.exec(f.message)?.[1]),
        ['the `GinAudit` middleware', 'the `Track` middleware', 'the middleware passed to `r.Use`', 'the middleware passed to `r.Use`'],
      );
    });

    it('still flags a write in a goroutine, and says why', () => {
      const src = code`
        package main

        func Audit(next http.Handler) http.Handler {
        	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
        		go func() {
        			_, _ = db.Exec("INSERT INTO hits (path) VALUES ($1)", r.URL.Path)
        		}()
        		next.ServeHTTP(w, r)
        	})
        }
      `;
      const [f] = findingsOf('go', src, ID);
      assert.strictEqual(src.slice(f.start, f.end), 'db.Exec("INSERT INTO hits (path) VALUES ($1)", r.URL.Path)');
      assert.strictEqual(
        f.message,
        '`db.Exec(...)` writes to the database in the `Audit` middleware, which runs on every request: one more write on the primary for every request to every route (at 100k users, about 1,000 writes/s). Running it in a goroutine takes it off the response time, not off the database. Buffer the rows in memory and write them in batches (a periodic flush or a queue), or write a sample.',
      );
    });

    it('leaves handlers, reads, rare paths, Redis pipelines and channels alone', () => {
      const src = code`
        package main

        func (s *Server) signup(w http.ResponseWriter, r *http.Request) {
        	s.db.Exec("INSERT INTO users (email) VALUES ($1)", r.FormValue("email"))
        }

        func CreateOrder(c *gin.Context) {
        	db.Create(&Order{})
        }

        func Audit(db *sql.DB, next http.Handler) http.Handler {
        	db.Exec(createAuditTable)
        	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
        		rec := &recorder{ResponseWriter: w, status: 200}
        		next.ServeHTTP(rec, r)
        		var n int
        		_ = db.QueryRowContext(r.Context(), "SELECT count(*) FROM bans WHERE ip = $1", r.RemoteAddr).Scan(&n)
        		db.ExecContext(r.Context(), "SET application_name = 'api'")
        		tx.Exec(r.Context(), setTenantSQL, tenantID(r))
        		if rec.status >= 500 {
        			db.ExecContext(r.Context(), "INSERT INTO errors (path) VALUES ($1)", r.URL.Path)
        		}
        		if err := rec.err; err != nil {
        			db.Exec("INSERT INTO errors (msg) VALUES ($1)", err.Error())
        		}
        		if time.Since(lastSeen(r)) > 5*time.Minute {
        			db.Exec("UPDATE users SET last_seen = now() WHERE id = $1", userID(r))
        		}
        		if rand.Float64() < 0.01 {
        			db.Exec("INSERT INTO samples (path) VALUES ($1)", r.URL.Path)
        		}
        		pipe := rdb.TxPipeline()
        		pipe.Incr(r.Context(), "hits:"+r.URL.Path)
        		pipe.Exec(r.Context())
        		select {
        		case entries <- entry{path: r.URL.Path}:
        		default:
        		}
        		f, _ := os.Create("/tmp/trace")
        		f.Close()
        		hits.Inc()
        	})
        }

        func routes(r *gin.Engine) {
        	r.GET("/orders", CreateOrder)
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
    });

    it('flags a store method that writes on every request (SetLastLogin), not its first-login, dirty-session and login-path look-alikes', () => {
      const src = code`
        package api

        import (
        	"database/sql"
        	"net/http"
        )

        type Storage struct {
        	db *sql.DB
        }

        func (s *Storage) SetLastLogin(userID int64) error {
        	_, err := s.db.Exec(\`UPDATE users SET last_login_at = now() WHERE id = $1\`, userID)
        	return err
        }

        func (s *Storage) CreateUser(name string) (*User, error) {
        	_, err := s.db.Exec(\`INSERT INTO users (name) VALUES ($1)\`, name)
        	return nil, err
        }

        func (s *Storage) UpdateWebSession(session *Session) error {
        	_, err := s.db.Exec(\`UPDATE sessions SET data = $1 WHERE id = $2\`, session.Data, session.ID)
        	return err
        }

        type middleware struct {
        	store *Storage
        }

        func (m *middleware) apiKeyAuth(next http.Handler) http.Handler {
        	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
        		user, err := m.store.UserByAPIKey(r.Header.Get("X-Auth-Token"))
        		if err != nil || user == nil {
        			http.Error(w, "unauthorized", http.StatusUnauthorized)
        			return
        		}
        		m.store.SetLastLogin(user.ID)
        		next.ServeHTTP(w, r)
        	})
        }

        func (m *middleware) proxyAuth(next http.Handler) http.Handler {
        	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
        		if request.IsAuthenticated(r) {
        			next.ServeHTTP(w, r)
        			return
        		}
        		user, _ := m.store.UserByName(r.Header.Get("X-Remote-User"))
        		if user == nil {
        			user, _ = m.store.CreateUser(r.Header.Get("X-Remote-User"))
        		}
        		m.store.SetLastLogin(user.ID)
        		next.ServeHTTP(w, r)
        	})
        }

        func (m *middleware) session(next http.Handler) http.Handler {
        	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
        		session := loadSession(r)
        		if session != nil {
        			session.Touch()
        		} else {
        			session = newSession()
        			m.store.CreateWebSession(session)
        		}
        		next.ServeHTTP(w, r)
        		if session.IsDirty() {
        			m.store.UpdateWebSession(session)
        		}
        	})
        }
      `;
      const found = findingsOf('go', src, ID);
      assert.deepStrictEqual(found.map((f) => src.slice(f.start, f.end)), ['m.store.SetLastLogin(user.ID)']);
      assert.match(found[0].message, /writes to the database \(it reaches `s\.db\.Exec` \(line 13\)\) in the `middleware\.apiKeyAuth` middleware/);
    });
  });
  for (const lang of ['typescript', 'javascript'] as const) {
    describe(lang, () => {
      it('flags writes in app.use / router.use middleware (Express, Koa) and Fastify hooks', () => {
        const src = code`
          app.use(async (req, res, next) => {
            await db.collection('request_log').insertOne({ path: req.path, at: new Date() });
            next();
          });

          router.use((req, res, next) => {
            res.on('finish', () => {
              void prisma.auditLog.create({ data: { path: req.originalUrl, status: res.statusCode } });
            });
            next();
          });

          koa.use(async (ctx, next) => {
            await next();
            await knex('hits').insert({ path: ctx.path });
          });

          fastify.addHook('onResponse', async (request, reply) => {
            await request.server.pg.query('INSERT INTO hits (path, status) VALUES ($1, $2)', [request.url, reply.statusCode]);
          });
        `;
        assert.deepStrictEqual(hits(lang, src, ID), [
          "db.collection('request_log').insertOne({ path: req.path, at: new Date() })",
          'prisma.auditLog.create({ data: { path: req.originalUrl, status: res.statusCode } })',
          "knex('hits').insert({ path: ctx.path })",
          "request.server.pg.query('INSERT INTO hits (path, status) VALUES ($1, $2)', [request.url, reply.statusCode])",
        ]);
        const finish = findingsOf(lang, src, ID)[1];
        assert.match(finish.message, /in the middleware passed to `router\.use`/);
        assert.match(finish.message, /Running it after the response \(`res\.on\('finish', \.\.\.\)`\) takes it off the response time, not off the database\./);
      });

      it('flags named middleware: (req, res, next) functions that call next(), and functions registered with use()', () => {
        const src = code`
          export function lastSeen(req, res, next) {
            pool.query('UPDATE users SET last_seen = now() WHERE id = $1', [req.userId]);
            next();
          }

          const recordVisit = async (req, res, next) => {
            try {
              await Visit.create({ path: req.path });
            } finally {
              next();
            }
          };

          function audit(db) {
            return async function (req, res, next) {
              try {
                await db.insert(auditLog).values({ path: req.path });
              } finally {
                next();
              }
            };
          }

          app.use(recordVisit);
          app.use('/api', audit(db));
        `;
        assert.deepStrictEqual(hits(lang, src, ID), [
          "pool.query('UPDATE users SET last_seen = now() WHERE id = $1', [req.userId])",
          'Visit.create({ path: req.path })',
          'db.insert(auditLog)',
        ]);
        assert.deepStrictEqual(
          findingsOf(lang, src, ID).map((f) => f.related.map((r) => src.slice(r.start, r.end))),
          [[], ['recordVisit'], ['audit']],
        );
      });

      it('flags model saves in response callbacks of exported middleware (next() inside try, on-finished)', () => {
        const src = code`
          const storeLogs = async (req, res, next) => {
            try {
              res.on('finish', async () => {
                const entry = new RequestLog({ path: req.originalUrl, status: res.statusCode });
                try {
                  await entry.save();
                } catch (err) {
                  console.warn('request log failed', err);
                }
              });
              next();
            } catch (error) {
              next(error);
            }
          };

          module.exports = function logRequests(req, res, next) {
            onFinished(res, async () => {
              await req.db.requestlog.create({ url: req.url });
            });
            next();
          };
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ['entry.save()', 'req.db.requestlog.create({ url: req.url })']);
        assert.match(findingsOf(lang, src, ID)[1].message, /Running it after the response \(`onFinished\(\.\.\.\)`\)/);
      });

      it('flags writes in Nest middleware and model saves', () => {
        const src = code`
          export class AuditMiddleware implements NestMiddleware {
            async use(req, res, next) {
              await this.auditRepository.save({ path: req.path });
              const hit = new Hit({ path: req.path });
              await hit.save();
              await sql\`INSERT INTO hits (path) VALUES (\${req.path})\`;
              next();
            }
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), [
          'this.auditRepository.save({ path: req.path })',
          'hit.save()',
          'sql`INSERT INTO hits (path) VALUES (${req.path})`',
        ]);
      });

      it('leaves route handlers, reads, error paths, sampling and in-memory buffers alone', () => {
        const src = code`
          app.post('/users', async (req, res) => {
            const user = await User.create(req.body);
            res.status(201).json(user);
          });

          app.get('/orders', async (req, res, next) => {
            await db.collection('views').insertOne({ path: req.path });
            next();
          });

          app.use(async (req, res, next) => {
            req.session = await db.collection('sessions').findOne({ token: req.cookies.sid });
            const { rows } = await pool.query('SELECT id FROM bans WHERE ip = $1', [req.ip]);
            res.on('finish', () => {
              if (res.statusCode >= 500) {
                void db.collection('errors').insertOne({ path: req.path });
              }
              if (Math.random() < 0.01) void db.collection('samples').insertOne({ path: req.path });
              if (Date.now() - req.user.lastSeen.getTime() > FIVE_MINUTES) void User.updateOne({ _id: req.user.id }, { lastSeen: new Date() });
              res.statusCode >= 500 && db.collection('errors').insertOne({ path: req.path });
            });
            auditBuffer.push({ path: req.path });
            logger.info({ path: req.path });
            requests.inc();
            req.session.save();
            hash.update(req.body);
            const bag = Object.create(null);
            next();
          });

          app.use(async (req, res, next) => {
            try {
              await next();
            } catch (err) {
              await db.collection('errors').insertOne({ path: req.path, message: String(err) });
            }
            next().catch((err) => db.collection('errors').insertOne({ message: String(err) }));
          });

          app.use((err, req, res, next) => {
            db.collection('errors').insertOne({ path: req.path, message: err.message });
            res.status(500).end();
          });

          async function createUser(req, res) {
            await User.create(req.body);
          }

          app.get('/audit', recordAudit);
          async function recordAudit(req, res) {
            await Audit.create({ path: req.path });
          }

          fastify.addHook('onClose', async () => {
            await prisma.shutdownLog.create({ data: {} });
          });
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });

      it('flags a Nest interceptor whose stream operator calls a service method that writes (through the program)', () => {
        const src = code`
          import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
          import { PrismaClient } from '@prisma/client';
          import { tap, catchError } from 'rxjs/operators';

          @Injectable()
          export class UserService {
            constructor(private prisma: PrismaClient) {}

            async updateUserLastActiveOn(uid: string) {
              await this.prisma.user.update({ where: { uid }, data: { lastActiveOn: new Date() } });
            }

            async createUserIfMissing(uid: string) {
              await this.prisma.user.create({ data: { uid } });
            }
          }

          @Injectable()
          export class LastActiveInterceptor implements NestInterceptor {
            constructor(private userService: UserService) {}

            intercept(context: ExecutionContext, next: CallHandler) {
              return this.restHandler(context, next);
            }

            restHandler(context: ExecutionContext, next: CallHandler) {
              const user = context.switchToHttp().getRequest().user;
              return next.handle().pipe(
                tap(() => {
                  if (user && typeof user === 'object') {
                    this.userService.updateUserLastActiveOn(user.uid);
                  }
                }),
                catchError((error) => {
                  this.userService.updateUserLastActiveOn(user.uid);
                  throw error;
                }),
              );
            }
          }

          @Injectable()
          export class SessionInterceptor implements NestInterceptor {
            constructor(private userService: UserService) {}

            intercept(context: ExecutionContext, next: CallHandler) {
              const req = context.switchToHttp().getRequest();
              if (req.isAuthenticated()) return next.handle();
              if (!req.user) {
                this.userService.createUserIfMissing(req.headers['x-user']);
              }
              return next.handle();
            }
          }
        `;
        const found = findingsOf(lang, src, ID);
        assert.deepStrictEqual(found.map((f) => src.slice(f.start, f.end)), ['this.userService.updateUserLastActiveOn(user.uid)']);
        assert.match(found[0].message, /in the Nest interceptor `LastActiveInterceptor\.intercept` \(through `restHandler`\)/);
      });

      it('leaves writes that happen once per session or login alone: created when missing, saved when changed, after an early return for signed-in requests', () => {
        const src = code`
          app.use(async (req, res, next) => {
            if (!req.session) {
              req.session = await Session.create({ ip: req.ip });
            }
            const visitor = await Visitor.findOne({ ip: req.ip });
            if (visitor) {
              req.visitor = visitor;
            } else {
              await Visitor.create({ ip: req.ip });
            }
            res.on('finish', () => {
              if (req.session.isModified()) void Session.updateOne({ _id: req.session.id }, { data: req.session.data });
            });
            next();
          });

          app.use(async (req, res, next) => {
            if (req.isAuthenticated()) return next();
            const user = await User.findOne({ apiKey: req.header('x-api-key') });
            await User.updateOne({ _id: user.id }, { lastLoginAt: new Date() });
            next();
          });

          app.use(async (req, res, next) => {
            if (req.user) {
              await User.updateOne({ _id: req.user.id }, { lastSeenAt: new Date() });
            }
            next();
          });
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ['User.updateOne({ _id: req.user.id }, { lastSeenAt: new Date() })']);
      });
    });
  }

  describe('per-request code another module names', () => {
    const models = code`
      from sqlalchemy import Column, DateTime, Integer, String
      from sqlalchemy.orm import declarative_base

      Base = declarative_base()

      class ApiKey(Base):
          __tablename__ = "api_keys"
          id = Column(Integer, primary_key=True)
          token = Column(String)
          last_used_at = Column(DateTime)
    `;
    const db = code`
      from sqlalchemy import create_engine
      from sqlalchemy.orm import sessionmaker

      SessionLocal = sessionmaker(bind=create_engine("postgresql://db/app", pool_size=20))

      def get_db():
          db = SessionLocal()
          try:
              yield db
              db.commit()
          finally:
              db.close()
    `;
    const auth = code`
      from datetime import datetime

      from fastapi import Depends, Header
      from sqlalchemy.orm import Session

      from app.db import get_db
      from app.models import ApiKey

      def current_key(x_api_key: str = Header(...), db: Session = Depends(get_db)) -> ApiKey:
          key = db.query(ApiKey).filter(ApiKey.token == x_api_key).one()
          key.last_used_at = datetime.utcnow()
          db.add(key)
          return key

      def key_owner(x_api_key: str = Header(...), db: Session = Depends(get_db)) -> int:
          return db.query(ApiKey).filter(ApiKey.token == x_api_key).one().id

      def rotate_key(db: Session, key: ApiKey) -> None:
          db.add(ApiKey(token="new"))
    `;
    const routes = code`
      from fastapi import APIRouter, Depends

      from app.auth import current_key, key_owner, rotate_key

      router = APIRouter()

      @router.get("/items")
      def items(key=Depends(current_key), owner: int = Depends(key_owner)):
          return {"owner": owner}

      @router.post("/keys/rotate")
      def rotate(key=Depends(current_key), db=Depends(get_db)):
          rotate_key(db, key)
          return {}
    `;

    it('python: a FastAPI dependency that writes, registered by routes in another module; not one that reads, the session dependency that commits, or a helper a route calls', async () => {
      const found = await workspaceHits({ 'app/__init__.py': '', 'app/models.py': models, 'app/db.py': db, 'app/auth.py': auth, 'app/routes.py': routes }, ID);
      assert.deepStrictEqual(found.map((f) => f.at), ['app/auth.py:12:5']);
      assert.match(found[0].message, /^`db\.add\(\.\.\.\)` writes to the database in the per-request dependency `current_key`, which another module registers to run per request/);
      // The same dependency in the routes' own module: named as a dependency of those routes.
      const together = await workspaceHits({ 'app/__init__.py': '', 'app/models.py': models, 'app/db.py': db, 'app/routes.py': `${auth}\n${routes.replace(/^from app\.auth import .*$/m, '')}` }, ID);
      assert.deepStrictEqual(together.map((f) => f.at), ['app/routes.py:12:5']);
      assert.match(together[0].message, /in the `current_key` dependency, which runs on every request to the routes that depend on it/);
    });

    it('python: a Flask before_request hook imported from another module; unregistered look-alikes stay silent', async () => {
      const hooks = code`
        from flask import g

        from app.db import SessionLocal
        from app.models import ApiKey

        def stamp_key():
            session = SessionLocal()
            session.add(ApiKey(token=g.token))
            session.commit()

        def not_registered():
            session = SessionLocal()
            session.add(ApiKey(token="x"))
      `;
      const app = code`
        from flask import Flask

        from app.hooks import stamp_key

        app = Flask(__name__)
        app.before_request(stamp_key)
      `;
      const found = await workspaceHits({ 'app/__init__.py': '', 'app/models.py': models, 'app/db.py': db, 'app/hooks.py': hooks, 'app/main.py': app }, ID);
      assert.deepStrictEqual(found.map((f) => f.at), ['app/hooks.py:8:5']);
      assert.match(found[0].message, /`stamp_key`, which another module registers to run per request/);
    });

    it('python: a decorator whose wrapper writes (in `finally` or before the call), applied to routes here or in another module; not one no route uses, nor a plain helper', async () => {
      const audit = code`
        import functools

        from app.db import SessionLocal
        from app.models import ApiKey

        def audited(fn):
            @functools.wraps(fn)
            def wrapper(*args, **kwargs):
                session = SessionLocal()
                try:
                    return fn(*args, **kwargs)
                finally:
                    session.add(ApiKey(token="audit"))
                    session.commit()
            return wrapper

        def tagged(action):
            def decorate(fn):
                def wrapper(*args, **kwargs):
                    session = SessionLocal()
                    session.add(ApiKey(token=action))
                    return fn(*args, **kwargs)
                return wrapper
            return decorate

        def retried(fn):
            def wrapper(*args, **kwargs):
                session = SessionLocal()
                session.add(ApiKey(token="retry"))
                return fn(*args, **kwargs)
            return wrapper

        def build_report():
            def step():
                session = SessionLocal()
                session.add(ApiKey(token="report"))
            return step
      `;
      const app = code`
        from flask import Flask

        from app.audit import audited, tagged

        app = Flask(__name__)

        @app.route("/orders")
        @audited
        def orders():
            return "ok"

        @app.post("/refunds")
        @tagged("refund")
        def refund():
            return "ok"
      `;
      const found = await workspaceHits({ 'app/__init__.py': '', 'app/models.py': models, 'app/db.py': db, 'app/audit.py': audit, 'app/main.py': app }, ID);
      assert.deepStrictEqual(found.map((f) => f.at), ['app/audit.py:13:13', 'app/audit.py:21:13']);
      assert.match(found[0].message, /^`session\.add\(\.\.\.\)` writes to the database in the decorator `audited` of the route `orders`, which wraps the route and runs on every request to it/);
      assert.match(found[1].message, /in the decorator `tagged` of the route `refund`/);
      // The route beside its decorator: known from the file alone.
      const alone = hits('python', `${audit}\nfrom flask import Flask\napp = Flask(__name__)\n\n@app.get("/orders")\n@audited\ndef orders():\n    return "ok"\n`, ID);
      assert.deepStrictEqual(alone, ["session.add(ApiKey(token=\"audit\"))"]);
    });
  });
});
