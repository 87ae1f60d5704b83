import * as assert from 'assert';
import { applyFix, code, config, findingsOf, hits, offeredFixes, workspaceHits } from '../../server/test/harness';

const ID = 'unbounded-fan-out';

describe(ID, () => {
  describe('python', () => {
    it('flags gather over a comprehension, a generator, map() and a list built by a loop', () => {
      const src = code`
        import asyncio

        async def notify_all(db):
            users = await db.users.find({"active": True}).to_list(None)
            await asyncio.gather(*[send_push(u) for u in users])
            await asyncio.gather(*(send_email(u) for u in users), return_exceptions=True)
            await asyncio.gather(*map(refresh, users))

        async def rebuild(db, ids):
            coros = []
            for i in ids:
                coros.append(rebuild_one(db, i))
            await asyncio.gather(*coros)

        async def warm(keys):
            jobs = [load(k) for k in keys]
            done, _ = await asyncio.wait(jobs)
            for fut in asyncio.as_completed([fetch(k) for k in keys]):
                await fut
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['asyncio.gather', 'asyncio.gather', 'asyncio.gather', 'asyncio.gather', 'asyncio.wait', 'asyncio.as_completed']);
    });

    it('flags a task started per item: create_task, loop.create_task, TaskGroup, ensure_future, start_soon', () => {
      const src = code`
        async def fan_out(users, loop):
            tasks = [asyncio.create_task(sync_user(u)) for u in users]
            await asyncio.gather(*tasks)
            for u in users:
                loop.create_task(audit(u))
            async with asyncio.TaskGroup() as tg:
                for order in await repo.pending_orders():
                    tg.create_task(charge(order))
            futs = [asyncio.ensure_future(ping(h)) for h in hosts]
            async with anyio.create_task_group() as g:
                for row in rows:
                    g.start_soon(export_row, row)
      `;
      assert.deepStrictEqual(hits('python', src, ID), [
        'asyncio.create_task',
        'loop.create_task',
        'tg.create_task',
        'asyncio.ensure_future',
        'g.start_soon',
      ]);
    });

    it('leaves fixed collections, worker pools and fixed arguments alone', () => {
      const src = code`
        REGIONS = ["eu", "us"]

        async def startup(db, queue, num_workers):
            await asyncio.gather(db.ping(), cache.ping(), search.ping())
            await asyncio.gather(*[check(s) for s in ("db", "cache", "search")])
            await asyncio.gather(*[warm(r) for r in REGIONS])
            await asyncio.gather(*[warm(r) for r in settings.REGIONS])
            workers = [asyncio.create_task(worker(queue)) for _ in range(num_workers)]
            more = [asyncio.create_task(worker(queue)) for _ in range(4)]
            sources = [primary, replica]
            await asyncio.gather(*[s.connect() for s in sources])
            jobs = [refresh_stats(), refresh_feed()]
            await asyncio.gather(*jobs)
            await asyncio.gather(*external_tasks)
            top = await db.users.find().limit(20).to_list(None)
            await asyncio.gather(*[send_push(u) for u in top])
            task = asyncio.create_task(heartbeat())
            while True:
                item = await queue.get()
                asyncio.create_task(handle(item))
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('leaves bounded fan-outs alone: semaphores, guarded coroutines, chunks and batches', () => {
      const src = code`
        sem = asyncio.Semaphore(20)

        async def fetch(u):
            async with sem:
                return await client.get(u.url)

        async def crawl(users):
            return await asyncio.gather(*[fetch(u) for u in users])

        async def crawl_local(users):
            limiter = asyncio.Semaphore(10)
            async def one(u):
                async with limiter:
                    await client.get(u.url)
            await asyncio.gather(*[one(u) for u in users])

        async def grouped(users):
            sem = asyncio.Semaphore(10)
            async with asyncio.TaskGroup() as tg:
                for u in users:
                    tg.create_task(guarded(sem, u))

        async def crawl_wrapped(users):
            await asyncio.gather(*[bounded(client.get(u.url)) for u in users])

        async def in_chunks(users):
            for chunk in chunks(users, 100):
                await asyncio.gather(*[send(u) for u in chunk])
            for group in itertools.batched(users, 50):
                await asyncio.gather(*[send(u) for u in group])
            for i in range(0, len(users), 100):
                await asyncio.gather(*[send(u) for u in users[i:i + 100]])
            for i in range(0, len(users), 100):
                batch = users[i:i + 100]
                await asyncio.gather(*(send(u) for u in batch))

        async def pooled(photos):
            await asyncio.gather(*[asyncio.to_thread(resize, p) for p in photos])
            await asyncio.gather(*[loop.run_in_executor(None, resize, p) for p in photos])

        async def one_by_one(users):
            for u in users:
                t = asyncio.create_task(send(u))
                await t

        async def paged(db, after):
            recent = await db.users.find({"_id": {"$gt": after}}).limit(PAGE_SIZE).to_list(None)
            await asyncio.gather(*[send(u) for u in recent])
            twenty = await db.users.find().to_list(length=20)
            await asyncio.gather(*[send(u) for u in twenty])

        async def in_waves(users):
            pending = []
            for u in users:
                pending.append(asyncio.create_task(send(u)))
                if len(pending) >= 100:
                    await asyncio.gather(*pending)
                    pending = []
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('still flags when a semaphore guards a different coroutine, or a limit is only a keyword argument', () => {
      const src = code`
        async def fetch(u):
            async with sem:
                return await client.get(u.url)

        async def crawl(users):
            await asyncio.gather(*[store(u, limit=10) for u in users])
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['asyncio.gather']);
    });

    it('does not report code at module level, and reports the list once where its tasks start', () => {
      const src = code`
        results = asyncio.run(asyncio.gather(*[f(u) for u in users]))

        async def run(users):
            await asyncio.gather(*[asyncio.create_task(f(u)) for u in users])
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['asyncio.create_task']);
    });

    it('leaves alone items that are the work themselves: awaitables, callbacks, components being closed', () => {
      // Shapes from asyncio.as_completed/gather, graphql-core, grpc.aio and pubsublite.
      const src = code`
        import asyncio

        async def as_done(fs):
            todo = {ensure_future(f) for f in set(fs)}
            for arg in coros_or_futures:
                fut = ensure_future(arg)

        async def complete(results, awaitable_fields):
            return await gather(*(results[field] for field in awaitable_fields))

        async def close(self, grace):
            call_tasks = []
            for task in _all_tasks():
                call_tasks.append(task)
            await asyncio.wait(call_tasks, timeout=grace)

        async def emit(self, event):
            for subscriber in self.subscribers:
                result = subscriber(event)
                if isawaitable(result):
                    ensure_future(result)
            async with anyio.create_task_group() as g:
                for hook in self.hooks:
                    g.start_soon(hook)

        async def enter(self):
            await asyncio.gather(*[p.__aenter__() for p in self._publishers.values()])
            await asyncio.gather(*[c.aclose() for c in self._clients])
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('still flags work done on each item, even when it is named like a teardown', () => {
      const src = code`
        async def cancel_all(api, orders, users):
            await asyncio.gather(*[api.cancel(o) for o in orders])
            tasks = []
            for u in users:
                coro = refresh(u)
                tasks.append(coro)
            await asyncio.gather(*tasks)
            for u in users:
                asyncio.create_task(u.sync())
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['asyncio.gather', 'asyncio.gather', 'asyncio.create_task']);
    });

    it('an async for over a channel is an accept loop; over a query it walks a data set', () => {
      // trio's DTLS server: one handler task per incoming connection, as they arrive.
      const src = code`
        async def serve(self, handler, listeners, receive_channel):
            async with trio.open_nursery() as nursery:
                async for stream in self._incoming_connections_q.r:
                    nursery.start_soon(handler, stream)
                async for msg in receive_channel:
                    nursery.start_soon(process, msg)
                for listener in listeners:
                    nursery.start_soon(serve_one, listener, handler)
                async for doc in db.users.find({"active": True}):
                    nursery.start_soon(notify, doc)
                cursor = db.orders.find({})
                async for order in cursor:
                    nursery.start_soon(charge, order)
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['nursery.start_soon', 'nursery.start_soon']);
    });

    it('leaves comprehensions over a fixed collection, bare tuples and test code alone', () => {
      const src = code`
        async def probe():
            outputs = [f"foo{i}" for i in range(10)]
            await asyncio.gather(*[run(out) for out in outputs])
            for host in "a.example", "b.example":
                asyncio.create_task(ping(host))

        def test_fan_out(users):
            async def main():
                await asyncio.gather(*[send(u) for u in users])

        class TestNotify:
            async def check(self, users):
                await asyncio.gather(*[send(u) for u in users])

        async def notify(users):
            names = [u.name for u in users]
            await asyncio.gather(*[send(n) for n in names])

        class TestimonialService:
            async def testimonials(self, users):
                await asyncio.gather(*[fetch_quote(u) for u in users])
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['asyncio.gather', 'asyncio.gather']);
    });

    it('says what breaks and points at the loop that builds the list', () => {
      const src = code`
        async def rebuild(ids):
            coros = []
            for i in ids:
                coros.append(rebuild_one(i))
            await asyncio.gather(*coros)
      `;
      const [f] = findingsOf('python', src, ID);
      assert.strictEqual(
        f.message,
        '`asyncio.gather` runs one coroutine for every item of `ids` at the same time, with no limit on how many run at once: a list of 10,000 items means 10,000 concurrent queries or requests, which drains the connection pool (typically 10–100 connections) and trips the rate limits of the service behind it. Bound it with an `asyncio.Semaphore` held by each coroutine, or by gathering in chunks.',
      );
      assert.strictEqual(f.severity, 'warning');
      assert.deepStrictEqual(
        f.related.map((r) => [src.slice(r.start, r.end), r.message]),
        [['ids', 'one concurrent task per item of `ids`']],
      );
      assert.deepStrictEqual(offeredFixes('python', src, ID), []);
    });

    it('reads what each item calls: a coroutine of this file that does no I/O is no fan-out over data', () => {
      const src = code`
        import asyncio

        async def render(user):
            return {"id": user.id, "name": user.name}

        async def load(db, user_id):
            return await db.users.find_one({"_id": user_id})

        async def render_all(users):
            return await asyncio.gather(*[render(u) for u in users])

        async def load_all(db, ids):
            return await asyncio.gather(*[load(db, i) for i in ids])

        async def render_each(users):
            return await asyncio.gather(*map(render, users))

        async def load_each(db, ids):
            return await asyncio.gather(*map(db.users.find_one, ids))

        async def map_async(items, fn):
            return await asyncio.gather(*[fn(x) for x in items])

        async def for_each_user(db, fn):
            users = await db.users.find({}).to_list(None)
            return await asyncio.gather(*[fn(u) for u in users])
      `;
      // map_async is the caller's items and the caller's work: judged where it is called.
      assert.deepStrictEqual(hits('python', src, ID), ['asyncio.gather', 'asyncio.gather', 'asyncio.gather']);
    });

    it('a gather of the project\'s own, not asyncio\'s, is not a fan-out', () => {
      const src = code`
        from .util import gather

        async def collect(users):
            return await gather(*[fetch(u) for u in users])
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('is info at 1k users', () => {
      const [f] = findingsOf('python', 'async def f(us):\n    await asyncio.gather(*[g(u) for u in us])\n', ID, config({ targetUsers: '1k' }));
      assert.strictEqual(f.severity, 'info');
    });
  });

  describe('go', () => {
    it('flags a goroutine per item of a range loop, at any depth in the loop body', () => {
      const src = code`
        package main

        func notifyAll(users []User) {
        	var wg sync.WaitGroup
        	for _, u := range users {
        		wg.Add(1)
        		go func(u User) {
        			defer wg.Done()
        			send(u)
        		}(u)
        	}
        	wg.Wait()
        	for _, o := range orders {
        		if o.Pending {
        			go charge(o)
        		}
        	}
        	for i := 0; i < len(ids); i++ {
        		go refresh(ids[i])
        	}
        	for msg := range sub.Channel() {
        		go handle(msg)
        	}
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['go', 'go charge(o)', 'go refresh(ids[i])', 'go handle(msg)']);
    });

    it('flags errgroup and conc groups without a limit', () => {
      const src = code`
        package main

        func syncAll(ctx context.Context, accounts []Account) error {
        	g, ctx := errgroup.WithContext(ctx)
        	for _, a := range accounts {
        		g.Go(func() error { return syncAccount(ctx, a) })
        	}
        	var eg errgroup.Group
        	for _, a := range accounts {
        		eg.Go(func() error { return audit(a) })
        	}
        	return g.Wait()
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['g.Go', 'eg.Go']);
    });

    it('leaves worker pools, fixed sets, semaphores, SetLimit and batch waits alone', () => {
      const src = code`
        package main

        func pool(jobs chan Job, n int) {
        	for i := 0; i < n; i++ {
        		go worker(jobs)
        	}
        	for w := range numWorkers {
        		go worker(jobs, w)
        	}
        	for i := range 4 {
        		go worker(jobs, i)
        	}
        	for _, name := range []string{"db", "cache"} {
        		go ping(name)
        	}
        	for _, s := range SHARDS {
        		go compact(s)
        	}
        	go serve()
        	for {
        		conn, _ := ln.Accept()
        		go handle(conn)
        	}
        }

        func withSemaphore(users []User) {
        	sem := make(chan struct{}, 10)
        	for _, u := range users {
        		sem <- struct{}{}
        		go func(u User) {
        			defer func() { <-sem }()
        			send(u)
        		}(u)
        	}
        }

        func withInnerSemaphore(users []User, tokens chan struct{}) {
        	for _, u := range users {
        		go func(u User) {
        			tokens <- struct{}{}
        			defer func() { <-tokens }()
        			send(u)
        		}(u)
        	}
        }

        func withLimit(ctx context.Context, users []User) error {
        	g, ctx := errgroup.WithContext(ctx)
        	g.SetLimit(8)
        	for _, u := range users {
        		g.Go(func() error { return send(u) })
        	}
        	return g.Wait()
        }

        func weighted(ctx context.Context, users []User) {
        	s := semaphore.NewWeighted(10)
        	for _, u := range users {
        		_ = s.Acquire(ctx, 1)
        		go func(u User) { defer s.Release(1); send(u) }(u)
        	}
        }

        func batches(users []User) {
        	for start := 0; start < len(users); start += 100 {
        		end := min(start+100, len(users))
        		for _, u := range users[start:end] {
        			go send(u)
        		}
        		wg.Wait()
        	}
        	for _, batch := range chunk(users, 100) {
        		for _, u := range batch {
        			go send(u)
        		}
        	}
        }

        func selectCase(ctx context.Context, users []User, slots chan struct{}) {
        	for _, u := range users {
        		go func(u User) {
        			select {
        			case slots <- struct{}{}:
        			case <-ctx.Done():
        				return
        			}
        			defer func() { <-slots }()
        			send(u)
        		}(u)
        	}
        }

        func concPool(users []User) {
        	p := pool.New().WithMaxGoroutines(10)
        	for _, u := range users {
        		p.Go(func() { send(u) })
        	}
        	p.Wait()
        }

        func rateLimited(ctx context.Context, users []User) {
        	for _, u := range users {
        		if err := limiter.Wait(ctx); err != nil {
        			return
        		}
        		go send(u)
        	}
        }

        func consumer(msgs chan Msg) {
        	for running {
        		go handle(<-msgs)
        	}
        }

        func main() {
        	for _, srv := range cfg.Servers {
        		go srv.ListenAndServe()
        	}
        }

        func TestSendAll(t *testing.T) {
        	for _, u := range fixtures {
        		go func() { send(u) }()
        	}
        }

        func unknownGroup(users []User) {
        	for _, u := range users {
        		s.group.Go(func() error { return send(u) })
        	}
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
    });

    it('an empty map or slice filled before the loop is a data set, not a fixed one', () => {
      // go-clean-arch's fillAuthorDetails: one GetByID per distinct author of a page of articles.
      const src = code`
        package article

        func (a *Service) fillAuthorDetails(ctx context.Context, data []Article) error {
        	g, ctx := errgroup.WithContext(ctx)
        	authors := map[int64]Author{}
        	for _, article := range data {
        		authors[article.Author.ID] = Author{}
        	}
        	for authorID := range authors {
        		authorID := authorID
        		g.Go(func() error { return a.load(ctx, authorID) })
        	}
        	regions := []string{"eu", "us"}
        	for _, r := range regions {
        		go warm(r)
        	}
        	return g.Wait()
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['g.Go']);
    });

    it('a done signal sent at the end of the goroutine is no semaphore', () => {
      const src = code`
        package main

        func run(users []User) {
        	done := make(chan struct{}, len(users))
        	for _, u := range users {
        		go func(u User) {
        			send(u)
        			done <- struct{}{}
        		}(u)
        	}
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['go']);
    });

    it('leaves worker pools over a count (Go 1.22 range over an int) and a service\'s Start alone', () => {
      const src = code`
        package main

        func NewPool(store *Store, nbWorkers int) *Pool {
        	p := &Pool{queue: make(chan Job)}
        	for i := range nbWorkers {
        		go p.worker(i, p.queue)
        	}
        	return p
        }

        func refreshAll(jobs chan Job) {
        	for i := range config.Opts.WorkerPoolSize() {
        		go func(id int) {
        			for j := range jobs {
        				refresh(id, j)
        			}
        		}(i)
        	}
        	for i := range runtime.NumCPU() {
        		go drain(i, jobs)
        	}
        }

        func (s *Scheduler) Start() error {
        	for _, job := range s.jobs {
        		go s.runJob(job)
        	}
        	return nil
        }

        func (s *Scheduler) RunAll(ids []int64) {
        	for _, id := range ids {
        		go s.runJob(id)
        	}
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['go s.runJob(id)']);
    });

    it('a Go method of the project\'s own named Go is no goroutine group', () => {
      const src = code`
        package main

        type Runner struct{}

        func (r *Runner) Go(f func() error) { _ = f() }

        func runAll(users []User) {
        	r := &Runner{}
        	for _, u := range users {
        		r.Go(func() error { return send(u) })
        	}
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
    });

    it('says what breaks, with the loop as related information', () => {
      const src = 'package main\nfunc f(users []User) {\n\tfor _, u := range users {\n\t\tgo send(u)\n\t}\n}\n';
      const [f] = findingsOf('go', src, ID);
      assert.match(f.message, /^`go` starts one goroutine for every item of `users` at the same time/);
      assert.match(f.message, /Bound it with a buffered-channel semaphore, `errgroup` with `SetLimit`, or a fixed pool of workers reading from a channel\.$/);
      assert.deepStrictEqual(f.related.map((r) => [src.slice(r.start, r.end), r.message]), [['users', 'one concurrent goroutine per item of `users`']]);
    });

    it('fix: limits the errgroup right after it is created, as an unsafe fix', () => {
      const src = code`
        package main

        func syncAll(ctx context.Context, accounts []Account) error {
        	g, ctx := errgroup.WithContext(ctx)
        	for _, a := range accounts {
        		g.Go(func() error { return syncAccount(ctx, a) })
        	}
        	return g.Wait()
        }
      `;
      const [f] = findingsOf('go', src, ID);
      assert.match(f.message, /Bound it with `g\.SetLimit\(n\)` before the loop\.$/);
      assert.strictEqual(
        applyFix('go', src, ID, 'errgroup-set-limit'),
        code`
          package main

          func syncAll(ctx context.Context, accounts []Account) error {
          	g, ctx := errgroup.WithContext(ctx)
          	g.SetLimit(10)
          	for _, a := range accounts {
          		g.Go(func() error { return syncAccount(ctx, a) })
          	}
          	return g.Wait()
          }
        `,
      );
    });

    it('fix: works on a declared errgroup.Group too', () => {
      const src = 'package main\n\nfunc f(xs []X) {\n\tvar g errgroup.Group\n\tfor _, x := range xs {\n\t\tg.Go(func() error { return do(x) })\n\t}\n\t_ = g.Wait()\n}\n';
      assert.strictEqual(
        applyFix('go', src, ID, 'errgroup-set-limit'),
        'package main\n\nfunc f(xs []X) {\n\tvar g errgroup.Group\n\tg.SetLimit(10)\n\tfor _, x := range xs {\n\t\tg.Go(func() error { return do(x) })\n\t}\n\t_ = g.Wait()\n}\n',
      );
    });

    it('the fix is not offered for plain goroutines or non-errgroup groups', () => {
      const plain = 'package main\nfunc f(users []User) {\n\tfor _, u := range users {\n\t\tgo send(u)\n\t}\n}\n';
      assert.deepStrictEqual(offeredFixes('go', plain, ID), []);
      const wg = 'package main\nfunc f(users []User) {\n\tvar wg sync.WaitGroup\n\tfor _, u := range users {\n\t\twg.Go(func() { send(u) })\n\t}\n\twg.Wait()\n}\n';
      assert.deepStrictEqual(hits('go', wg, ID), ['wg.Go']);
      assert.deepStrictEqual(offeredFixes('go', wg, ID), []);
    });
  });

  for (const lang of ['typescript', 'javascript'] as const) {
    describe(lang, () => {
      it('flags Promise.all / allSettled over a map of a data set, inline or built first', () => {
        const src = code`
          async function notifyAll(db) {
            const users = await db.collection('users').find({ active: true }).toArray();
            await Promise.all(users.map(async (u) => sendPush(u)));
            await Promise.allSettled(users.map((u) => sendEmail(u)));
            await Promise.all(users.map(refresh));
            await Promise.all([...users.map(audit), flush()]);
            await Promise.all(Object.keys(byTenant).map((t) => rebuild(t)));
            await Promise.all(Array.from(users, (u) => audit(u)));
            const fastest = await Promise.any(mirrors.map((m) => fetch(m.url)));
          }

          const rebuildAll = async (ids) => {
            const jobs = ids.map((id) => rebuild(id));
            await Promise.all(jobs);
            const pending = [];
            for (const id of ids) {
              pending.push(reindex(id));
            }
            await Promise.allSettled(pending);
          };
        `;
        assert.deepStrictEqual(hits(lang, src, ID), [
          'Promise.all',
          'Promise.allSettled',
          'Promise.all',
          'Promise.all',
          'Promise.all',
          'Promise.all',
          'Promise.any',
          'Promise.all',
          'Promise.allSettled',
        ]);
      });

      it('leaves literal arrays, fixed sets, limiters and chunks alone', () => {
        const src = code`
          const REGIONS = ['eu', 'us'];
          const limit = pLimit(10);

          async function startup() {
            await Promise.all([db.connect(), cache.connect()]);
            await Promise.all(REGIONS.map((r) => warm(r)));
            await Promise.all(['a', 'b'].map((k) => load(k)));
            await Promise.all([...Array(4)].map(() => worker(queue)));
            const services = [db, cache];
            await Promise.all(services.map((s) => s.close()));
            await Promise.all(pending);
          }

          async function bounded(users) {
            await Promise.all(users.map((u) => limit(() => sendPush(u))));
            await Promise.all(users.map((u) => queue.add(() => sendPush(u))));
            await pMap(users, (u) => sendPush(u), { concurrency: 10 });
            await Promise.all(users.map((u) => this.limiter.schedule(() => sendPush(u))));
            for (let i = 0; i < users.length; i += 100) {
              await Promise.all(users.slice(i, i + 100).map((u) => sendPush(u)));
            }
            for (const chunk of _.chunk(users, 100)) {
              await Promise.all(chunk.map((u) => sendPush(u)));
            }
            for (const group of chunks(users, 50)) {
              await Promise.all(group.map((u) => sendPush(u)));
            }
            const take = 100;
            const members = await prisma.user.findMany({ take, skip: offset });
            await Promise.all(members.map((u) => sendPush(u)));
            const top = await User.find().limit(20);
            await Promise.all(top.map((u) => sendPush(u)));
            const wave = [];
            for (const u of users) {
              wave.push(sendPush(u));
              if (wave.length >= 100) await Promise.all(wave.splice(0, 100));
            }
          }

          await Promise.all(files.map((f) => migrate(f)));
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });

      it('a semaphore acquired by each item, or a rate limiter a helper awaits (async-sema), bounds the fan-out', () => {
        // Shapes from outline's import tasks and its Notion client.
        const src = code`
          import { RateLimit, Sema } from 'async-sema';
          import { Attachment } from './models';

          export async function uploadAll(items) {
            const sema = new Sema(5);
            await Promise.all(items.map(async (item) => {
              try {
                await sema.acquire();
                const a = await Attachment.findByPk(item.id);
                await a.update({ size: item.size });
              } finally {
                sema.release();
              }
            }));
          }

          export class Client {
            constructor() {
              this.limiter = RateLimit(3);
            }
            async call(fn) {
              await this.limiter();
              return fn();
            }
            async pages(blocks) {
              await Promise.all(blocks.map((b) => this.call(() => Attachment.findByPk(b.id))));
            }
          }

          export async function unbounded(items) {
            await Promise.all(items.map(async (item) => {
              const a = await Attachment.findByPk(item.id);
              await a.update({ size: item.size });
            }));
          }
        `;
        assert.deepStrictEqual(
          findingsOf(lang, src, ID).map((f) => src.slice(0, f.start).split('\n').length),
          [31],
        );
      });

      it('leaves alone callbacks, listeners and components being closed, and test code', () => {
        // Shapes from undici, workerpool, chokidar and secretlint.
        const src = code`
          class Agent {
            async close() {
              const closePromises = [];
              for (const { dispatcher } of this.clients.values()) {
                closePromises.push(dispatcher.close());
              }
              await Promise.all(closePromises);
              const closeAll = [];
              for (let i = 0; i < this.pool.length; i++) {
                const client = this.pool[i];
                if (!client.destroyed) closeAll.push(client.close());
              }
              await Promise.all(closeAll);
            }
            async emit(event, ...args) {
              const promises = [];
              this.events.listeners(event).forEach((listener) => {
                promises.push(listener(...args));
              });
              await Promise.all(promises);
              await Promise.all(this.abortListeners.map((listener) => listener()));
              await Promise.all(this.abortListeners.map(function (listener) { return listener(); }));
              await Promise.all(this.rootHooks.map(async (hook) => (typeof hook === 'function' ? hook() : hook)));
              await Promise.all(this.sockets.map(async (s) => await s.end()));
              const closers = [];
              this.closers.forEach((list) => list.forEach((closer) => {
                const promise = closer();
                if (promise instanceof Promise) closers.push(promise);
              }));
              await Promise.all(closers);
            }
          }

          describe('notify', () => {
            it('sends to everyone', async () => {
              await Promise.all(users.map((u) => sendPush(u)));
            });
          });
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });

      it('still flags work done on each item, even when it is named like a teardown', () => {
        const src = code`
          async function cancelAll(api, orders) {
            await Promise.all(orders.map((o) => api.cancel(o)));
            await Promise.all(orders.map(function (o) { return o.valid ? charge(o) : o; }));
            const jobs = [];
            for (const o of orders) {
              jobs.push(o.refresh());
            }
            await Promise.all(jobs);
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ['Promise.all', 'Promise.all', 'Promise.all']);
      });

      it('leaves alone fan-outs a transaction serialises, batches handed to a callback, and items whose work does no I/O', () => {
        const src = code`
          async function reorder(prisma, collections) {
            await prisma.$transaction(async (tx) => {
              await Promise.all(collections.map((c) => tx.collection.update({ where: { id: c.id }, data: { index: c.index } })));
            });
          }

          async function copyMemberships(memberships, transaction) {
            await Promise.all(memberships.map((m) => Membership.create({ userId: m.userId }, { transaction })));
            const saves = [];
            for (const m of memberships) {
              saves.push(m.save({ fields: ['index'], transaction }));
            }
            await Promise.all(saves);
          }

          async function notifyGroup(group) {
            await GroupUser.findAllInBatches({ where: { groupId: group.id } }, async (groupUsers) => {
              await Promise.all(groupUsers.map((gu) => sendPush(gu)));
            });
          }

          function toNode(item) {
            return { id: item.id, title: item.title };
          }

          async function prune(tree, id) {
            const walk = async (children) =>
              Promise.all(children.filter((c) => c.id !== id).map(async (c) => ({ ...c, children: await walk(c.children) })));
            return walk(tree);
          }

          async function present(items) {
            return Promise.all(items.map(async (item) => toNode(item)));
          }

          async function filterAsync(arr, predicate) {
            const results = await Promise.all(arr.map(async (value, index) => predicate(value, index)));
            return arr.filter((_, i) => results[i]);
          }

          async function presentAll(items) {
            return Promise.all(items.map(toNode));
          }

          async function presentOrSkip(items) {
            return Promise.all(items.map((item) => toNode(item).then((n) => n).catch(() => null)));
          }

          async function list(ctx) {
            const [rows, total] = await Promise.all([Doc.findAll({ offset: ctx.state.pagination.offset, limit: ctx.state.pagination.limit }), Doc.count()]);
            return { total, data: await Promise.all(rows.map((r) => presentDoc(r))) };
          }

          async function archive(user, notifications, transaction) {
            const ctx = createContext({ user, transaction });
            await Promise.all(notifications.map((n) => n.updateWithCtx(ctx, { archivedAt: new Date() })));
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });

      it('still flags the same shapes outside a transaction, and items whose function of this file queries', () => {
        const src = code`
          async function reorder(prisma, collections) {
            await Promise.all(collections.map((c) => prisma.collection.update({ where: { id: c.id }, data: { index: c.index } })));
            await Promise.all(collections.map((c) => prisma.collection.delete({ where: { id: c.id } }).catch(() => undefined)));
          }

          async function tidy(c) {
            return { id: c.id };
          }

          async function tidyAndSave(prisma, collections) {
            await Promise.all(collections.map((c) => tidy(c).then((t) => prisma.collection.update({ where: { id: t.id }, data: {} }))));
          }

          async function loadUser(id) {
            return db.collection('users').findOne({ _id: id });
          }

          async function loadAll(ids) {
            return Promise.all(ids.map(loadUser));
          }

          async function forEachUser(prisma, fn) {
            const users = await prisma.user.findMany();
            await Promise.all(users.map((u) => fn(u)));
          }

          async function fetchTree(db, id) {
            return db.collection('folders').find({ parentId: id }).toArray();
          }

          async function exportTree(db, ids) {
            return Promise.all(ids.map((id) => fetchTree(db, id)));
          }

          async function archive(user, notifications) {
            const ctx = createContext({ user });
            await Promise.all(notifications.map((n) => n.updateWithCtx(ctx, { archivedAt: new Date() })));
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ['Promise.all', 'Promise.all', 'Promise.all', 'Promise.all', 'Promise.all', 'Promise.all', 'Promise.all']);
      });

      it('says what breaks and offers no fix', () => {
        const src = 'async function f(users) {\n  const jobs = users.map((u) => send(u));\n  await Promise.all(jobs);\n}\n';
        const [f] = findingsOf(lang, src, ID);
        assert.match(f.message, /^`Promise\.all` runs one call for every item of `users` at the same time/);
        assert.match(f.message, /Bound it with `p-limit`, `p-map` with `concurrency`, or by awaiting one chunk at a time\.$/);
        assert.deepStrictEqual(f.related.map((r) => src.slice(r.start, r.end)), ['users']);
        assert.deepStrictEqual(offeredFixes(lang, src, ID), []);
      });
    });
  }

  it('typescript: a NestJS PrismaService is the Prisma client, so a recursive export through it is a fan-out of queries', () => {
    const src = code`
      import { Injectable } from '@nestjs/common';
      import { PrismaService } from '../prisma/prisma.service';

      @Injectable()
      export class CollectionService {
        constructor(private readonly prisma: PrismaService) {}

        async exportTree(id: string): Promise<unknown> {
          const children = await this.prisma.collection.findMany({ where: { parentId: id } });
          return Promise.all(children.map((c) => this.exportTree(c.id)));
        }

        async reorder(collections: { id: string }[]) {
          await this.prisma.$transaction(async (tx) => {
            await Promise.all(collections.map((c) => tx.collection.update({ where: { id: c.id }, data: {} })));
          });
        }
      }
    `;
    assert.deepStrictEqual(hits('typescript', src, ID), ['Promise.all']);
  });

  it('typescript: one page of rows stays one page through map/filter, destructuring and the request\'s pagination; all rows do not', () => {
    const src = code`
      import { PrismaClient } from '@prisma/client';
      const prisma = new PrismaClient();

      export async function search(ctx: any, query: string) {
        const { results } = await searchDocuments({ query, ...ctx.state.pagination });
        await Promise.all(results.map((r) => prisma.view.create({ data: { documentId: r.id } })));
        const memberships = await prisma.membership.findMany({ where: { query }, skip: 0, take: 25 });
        await Promise.all(memberships.filter((m) => m.active).map((m) => prisma.group.findUnique({ where: { id: m.groupId } })));
        const { results: shares, pagination } = await paginateQuery(ctx, (opts) => prisma.share.findMany({ ...opts }));
        await Promise.all(shares.map((s) => prisma.user.findUnique({ where: { id: s.userId } })));
        const { limit } = ctx.state.cron;
        const expired = await prisma.fileOperation.findMany({ where: { expired: true }, take: limit });
        await Promise.all(expired.map((op) => prisma.fileOperation.delete({ where: { id: op.id } })));
        const { results: everyShare } = await loadShares(ctx);
        await Promise.all(everyShare.map((s) => prisma.user.findUnique({ where: { id: s.userId } })));
        return pagination;
      }

      export async function everyone() {
        const users = await prisma.user.findMany({ where: { active: true } });
        await Promise.all(users.filter((u) => u.email).map((u) => prisma.audit.create({ data: { userId: u.id } })));
      }
    `;
    const found = findingsOf('typescript', src, ID).map((f) => src.slice(f.start, f.start + 30));
    assert.deepStrictEqual(found, ['Promise.all(everyShare.map((s)', 'Promise.all(users.filter((u) =']);
  });

  it('typescript: the children one record was read with (include/select/with) are one record\'s, not the data set; a relation read alone, or a list of many records, is', () => {
    // Judged on documenso: a document's recipients, an envelope's items, read with their parent.
    const src = code`
      import { prisma } from '@documenso/prisma';

      export async function notify(documentId: number, teamId: number) {
        const envelope = await prisma.envelope.findFirstOrThrow({ where: { id: documentId }, include: { recipients: true, items: { select: { id: true } } } });
        const toNotify = envelope.recipients.filter((r) => r.role !== 'CC');
        await Promise.all(toNotify.map((r) => prisma.recipient.update({ where: { id: r.id }, data: { sent: true } })));
        await Promise.all(envelope.items.map((i) => prisma.item.update({ where: { id: i.id }, data: { sealed: true } })));
        const team = await prisma.team.findUnique({ where: { id: teamId } });
        await Promise.all(team.members.map((m) => prisma.user.findUnique({ where: { id: m.userId } })));
        const teams = await prisma.team.findMany({ include: { members: true } });
        await Promise.all(teams.map((t) => prisma.audit.create({ data: { teamId: t.id } })));
        // A callback reads the names of the function around it.
        await io.runTask('send', async () => {
          await Promise.all(toNotify.map((r) => prisma.recipient.update({ where: { id: r.id }, data: { mailed: true } })));
        });
      }
    `;
    const found = findingsOf('typescript', src, ID).map((f) => src.slice(f.start, f.start + 30));
    assert.deepStrictEqual(found, ['Promise.all(team.members.map((', 'Promise.all(teams.map((t) => p']);
  });

  it('typescript: a page stays a page through lodash subsets and through a name every branch assigns a page to', () => {
    const src = code`
      import { PrismaClient } from '@prisma/client';
      import { uniqBy } from 'es-toolkit/compat';
      import compact from 'lodash/compact';
      import _ from 'lodash';
      const prisma = new PrismaClient();

      export async function groups(ctx: any) {
        const memberships = await prisma.membership.findMany({ include: { group: true }, limit: ctx.state.pagination.limit });
        const groups = uniqBy(memberships.map((m) => m.group), 'id');
        await Promise.all(groups.map((g) => prisma.groupUser.count({ where: { groupId: g.id } })));
        await Promise.all(compact(memberships).map((m) => prisma.user.findUnique({ where: { id: m.userId } })));
        const all = await prisma.membership.findMany({ where: { active: true } });
        await Promise.all(_.uniqBy(all, 'groupId').map((m) => prisma.group.findUnique({ where: { id: m.groupId } })));
        await Promise.all(_.flatten([all]).map((m) => prisma.group.findUnique({ where: { id: m.groupId } })));
        const ids = _.uniq([...all.map((m) => m.groupId), ...memberships.map((m) => m.groupId)]);
        await Promise.all(ids.map((id) => prisma.group.findUnique({ where: { id } })));
        const pageIds = _.uniq([...memberships.map((m) => m.groupId), ...groups.map((g) => g.id)]);
        await Promise.all(pageIds.map((id) => prisma.group.findUnique({ where: { id } })));
      }

      export async function search(user: any, shared: boolean, query: string, limit: number) {
        let response;
        if (shared) {
          response = await searchForTeam(user.team, { query, limit });
        } else {
          response = await searchForUser(user, { query, limit });
        }
        const { results } = response;
        await Promise.all(results.map((r) => prisma.view.create({ data: { documentId: r.id } })));

        let rows;
        if (shared) {
          rows = await prisma.document.findMany({ take: 25 });
        } else {
          rows = await prisma.document.findMany({ where: { userId: user.id } });
        }
        await Promise.all(rows.map((r) => prisma.view.create({ data: { documentId: r.id } })));

        let some;
        if (shared) some = await prisma.document.findMany({ take: 25 });
        await Promise.all(some.map((r) => prisma.view.create({ data: { documentId: r.id } })));
      }
    `;
    const found = findingsOf('typescript', src, ID).map((f) => src.slice(f.start, f.start + 24));
    assert.deepStrictEqual(found, ['Promise.all(_.uniqBy(all', 'Promise.all(_.flatten([a', 'Promise.all(ids.map((id)', 'Promise.all(rows.map((r)', 'Promise.all(some.map((r)']);
  });
  it('typescript: a method a decorator runs in one transaction serialises its items\' queries; remote calls and methods without it still fan out', async () => {
    // Judged on vendure: bulk deletes under @Transaction() share the request's one transaction connection.
    const service = code`
      import { Injectable } from '@nestjs/common';
      import { DataSource } from 'typeorm';
      import axios from 'axios';

      @Injectable()
      export class TagService {
        constructor(private readonly db: DataSource) {}
        async delete(ctx: unknown, id: string) {
          return this.db.getRepository('Tag').delete({ id });
        }
        async announce(id: string) {
          return axios.post('https://hooks.example.com/tags', { id });
        }
      }
    `;
    const resolver = (decorator: string, from: string) => code`
      import { Mutation, Resolver } from '@nestjs/graphql';
      import { ${decorator} } from '${from}';
      import { DataSource } from 'typeorm';
      import { TagService } from './tag.service';

      @Resolver()
      export class TagResolver {
        constructor(private readonly tags: TagService, private readonly db: DataSource) {}

        @${decorator}()
        @Mutation()
        deleteTags(ctx: unknown, args: { ids: string[] }) {
          return Promise.all(args.ids.map((id) => this.tags.delete(ctx, id)));
        }

        @${decorator}()
        @Mutation()
        announceTags(args: { ids: string[] }) {
          return Promise.all(args.ids.map((id) => this.tags.announce(id)));
        }

        @Mutation()
        deleteTagsEach(ctx: unknown, args: { ids: string[] }) {
          return Promise.all(args.ids.map((id) => this.tags.delete(ctx, id)));
        }

        @${decorator}()
        @Mutation()
        purgeTags(args: { ids: string[] }) {
          return Promise.all(args.ids.map(async (id) => {
            await this.db.getRepository('Tag').delete({ id });
            return this.tags.announce(id);
          }));
        }
      }
    `;
    const pkg = JSON.stringify({ dependencies: { '@nestjs/graphql': '12', '@vendure/core': '3', 'typeorm-transactional': '0.5', typeorm: '0.3', axios: '1' } });
    for (const [decorator, from] of [['Transaction', '@vendure/core'], ['Transactional', 'typeorm-transactional'], ['Transaction', '../decorators/transaction.decorator']]) {
      const found = await workspaceHits({ 'package.json': pkg, 'src/tag.service.ts': service, 'src/tag.resolver.ts': resolver(decorator, from), 'decorators/transaction.decorator.ts': 'export const Transaction = () => (target: object) => target;\n' }, ID);
      // A query per item is serialised; the remote call beside it is not.
      assert.deepStrictEqual(found.map((h) => h.at), ['src/tag.resolver.ts:19:12', 'src/tag.resolver.ts:24:12', 'src/tag.resolver.ts:30:12'], `${decorator} from ${from}`);
    }
  });
  it('typescript: a package whose source is in the workspace is read as code, even when a model describes a package of that name', async () => {
    // Judged on vendure's own repository: its plugins import @vendure/core, whose source is beside them.
    const files = {
      'package.json': JSON.stringify({ private: true, workspaces: ['packages/*'] }),
      'packages/core/package.json': JSON.stringify({ name: '@vendure/core', dependencies: { pg: '8' } }),
      'packages/core/src/index.ts': "export * from './stock.service';\n",
      'packages/core/src/stock.service.ts': code`
        import { Pool } from 'pg';
        const pool = new Pool({ max: 20 });
        export class StockService {
          async level(variantId: string) {
            return pool.query('SELECT level FROM stock WHERE variant_id = $1', [variantId]);
          }
        }
      `,
      'packages/search/package.json': JSON.stringify({ name: '@acme/search', dependencies: { '@vendure/core': '*' } }),
      'packages/search/src/indexer.ts': code`
        import { StockService } from '@vendure/core';
        export class Indexer {
          constructor(private readonly stock: StockService) {}
          async inStock(variants: { id: string }[]) {
            return Promise.all(variants.map((v) => this.stock.level(v.id)));
          }
        }
      `,
    };
    assert.deepStrictEqual((await workspaceHits(files, ID)).map((h) => h.at), ['packages/search/src/indexer.ts:5:12']);
    // The same service answered from memory: followed into its source, no I/O, no finding.
    const inMemory = code`
      const levels = new Map<string, number>();
      export class StockService {
        async level(variantId: string) {
          return levels.get(variantId) ?? 0;
        }
      }
    `;
    assert.deepStrictEqual(await workspaceHits({ ...files, 'packages/core/src/stock.service.ts': inMemory }, ID), []);
  });
  it('typescript: a function of another file handed over by name is followed into that file', async () => {
    const files = {
      'package.json': JSON.stringify({ dependencies: { '@prisma/client': '5', express: '4' } }),
      'src/present.ts': 'export async function presentDoc(d: { id: string; title: string }) {\n  return { id: d.id, title: d.title.trim() };\n}\n',
      'src/load.ts': code`
        import { PrismaClient } from '@prisma/client';
        const prisma = new PrismaClient();
        export async function loadDoc(id: string) {
          return prisma.document.findUnique({ where: { id } });
        }
      `,
      'src/routes.ts': code`
        import express from 'express';
        import { presentDoc } from './present';
        import { loadDoc } from './load';
        const app = express();
        app.post('/docs', async (req, res) => {
          const docs = await Promise.all(req.body.ids.map(loadDoc));
          res.json(await Promise.all(docs.map(presentDoc)));
        });
      `,
    };
    const found = await workspaceHits(files, ID);
    assert.deepStrictEqual(found.map((h) => h.at), ['src/routes.ts:6:22']);
    assert.match(found[0].message, /each reaches `prisma\.document\.findUnique`/);
  });
  it('typescript: a service whose every caller runs in a transaction a decorator opens serialises its fan-out; one caller without it is enough to report', async () => {
    // Judged on vendure: AssetService.assignToChannel, called only from @Transaction() resolvers.
    const channels = code`
      import { Injectable } from '@nestjs/common';
      import { DataSource } from 'typeorm';
      @Injectable()
      export class ChannelService {
        constructor(private readonly db: DataSource) {}
        async assign(ctx: unknown, id: string) {
          return this.db.getRepository('ChannelAsset').insert({ id });
        }
      }
    `;
    const assets = code`
      import { Injectable } from '@nestjs/common';
      import { ChannelService } from './channel.service';
      @Injectable()
      export class AssetService {
        constructor(private readonly channels: ChannelService) {}
        async assignToChannel(ctx: unknown, ids: string[]) {
          await Promise.all(ids.map((id) => this.channels.assign(ctx, id)));
        }
      }
    `;
    const resolver = (undecorated: boolean) => code`
      import { Mutation, Resolver } from '@nestjs/graphql';
      import { Transaction } from '@vendure/core';
      import { AssetService } from './asset.service';
      @Resolver()
      export class AssetResolver {
        constructor(private readonly assets: AssetService) {}
        @Transaction()
        @Mutation()
        assignAssets(ctx: unknown, args: { ids: string[] }) {
          return this.assets.assignToChannel(ctx, args.ids);
        }
        ${undecorated ? '@Mutation()\n  assignAssetsEach(ctx: unknown, args: { ids: string[] }) {\n    return this.assets.assignToChannel(ctx, args.ids);\n  }' : ''}
      }
    `;
    const pkg = JSON.stringify({ dependencies: { '@nestjs/graphql': '12', '@nestjs/common': '10', '@vendure/core': '3', typeorm: '0.3' } });
    const tree = (undecorated: boolean) => ({ 'package.json': pkg, 'src/channel.service.ts': channels, 'src/asset.service.ts': assets, 'src/asset.resolver.ts': resolver(undecorated) });
    assert.deepStrictEqual(await workspaceHits(tree(false), ID), []);
    assert.deepStrictEqual((await workspaceHits(tree(true), ID)).map((h) => h.at), ['src/asset.service.ts:7:11']);
  });
});
