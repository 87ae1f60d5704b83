import * as assert from 'assert';
import { applyFix, code, findingsOf, fixAll, hits, offeredFixes } from '../../server/test/harness';

const ID = 'sync-smtp-in-request';

describe(ID, () => {
  describe('python', () => {
    it('flags smtplib.SMTP / SMTP_SSL inside an async def, as an error', () => {
      const src = code`
        import smtplib

        async def signup(user):
            with smtplib.SMTP("smtp.example.com", 587) as s:
                s.starttls()
                s.send_message(welcome(user))

        async def reset(user):
            s = smtplib.SMTP_SSL(HOST)
            s.sendmail(FROM, [user.email], body)
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['smtplib.SMTP("smtp.example.com", 587)', 'smtplib.SMTP_SSL(HOST)']);
      const [f] = findingsOf('python', src, ID);
      assert.strictEqual(f.severity, 'error');
      assert.match(f.message, /async def signup/);
      assert.match(f.message, /event loop stops/);
    });

    it('flags imported and aliased names and a module alias', () => {
      const src = code`
        from smtplib import SMTP, SMTP_SSL as SecureSMTP
        import smtplib as mail

        async def a():
            SMTP(HOST).send_message(m)

        async def b():
            SecureSMTP(HOST).send_message(m)

        async def c():
            mail.SMTP(HOST).send_message(m)
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['SMTP(HOST)', 'SecureSMTP(HOST)', 'mail.SMTP(HOST)']);
    });

    it('flags SMTP in a sync route handler as a warning (Flask, FastAPI, Django, DRF)', () => {
      const src = code`
        import smtplib

        @app.route("/contact", methods=["POST"])
        def contact():
            with smtplib.SMTP(HOST) as s:
                s.send_message(build())
            return "ok"

        @router.post("/invite")
        def invite(body: Invite):
            smtplib.SMTP(HOST).send_message(body.message())

        def feedback(request):
            smtplib.SMTP(HOST).send_message(msg)

        class NotifyView(APIView):
            def post(self, request):
                smtplib.SMTP(HOST).send_message(msg)
      `;
      const found = findingsOf('python', src, ID);
      assert.deepStrictEqual(
        found.map((f) => src.slice(f.start, f.end)),
        ['smtplib.SMTP(HOST)', 'smtplib.SMTP(HOST)', 'smtplib.SMTP(HOST)', 'smtplib.SMTP(HOST)'],
      );
      assert.deepStrictEqual(found.map((f) => f.severity), ['warning', 'warning', 'warning', 'warning']);
      assert.match(found[0].message, /request handler `contact`/);
      assert.match(found[0].message, /worker pool saturates/);
    });

    it('flags one connection per item of a loop, even in a plain function', () => {
      const src = code`
        import smtplib

        def send_digest(users):
            for user in users:
                with smtplib.SMTP(HOST) as s:
                    s.send_message(digest(user))

        def notify_all(users):
            conns = [smtplib.SMTP(HOST) for u in users]
      `;
      const found = findingsOf('python', src, ID);
      assert.deepStrictEqual(found.map((f) => src.slice(f.start, f.end)), ['smtplib.SMTP(HOST)', 'smtplib.SMTP(HOST)']);
      assert.deepStrictEqual(found.map((f) => f.severity), ['warning', 'warning']);
      assert.match(found[0].message, /every item of the loop/);
      assert.match(found[0].message, /10k users takes hours/);
    });

    it('flags a call from an async def or a handler to a sync helper of the file that sends mail', () => {
      const src = code`
        import smtplib
        from smtplib import SMTP_SSL

        def send_welcome(email):
            with smtplib.SMTP(HOST) as s:
                s.sendmail(FROM, [email], WELCOME)

        def send_reset(email):
            with SMTP_SSL(HOST) as s:
                s.sendmail(FROM, [email], RESET)

        @app.post("/signup")
        async def signup(user: User):
            await users.insert_one(user.dict())
            send_welcome(user.email)

        @app.route("/reset", methods=["POST"])
        def reset():
            send_reset(request.form["email"])
            return "sent"
      `;
      const found = findingsOf('python', src, ID);
      assert.deepStrictEqual(found.map((f) => src.slice(f.start, f.end)), ['send_welcome(user.email)', 'send_reset(request.form["email"])']);
      assert.deepStrictEqual(found.map((f) => f.severity), ['error', 'warning']);
      assert.match(found[0].message, /runs `send_welcome`, which sends mail over a blocking SMTP connection, inside `async def signup`/);
      assert.deepStrictEqual(
        found.map((f) => f.related.map((r) => src.slice(r.start, r.end))),
        [['smtplib.SMTP(HOST)'], ['SMTP_SSL(HOST)']],
      );
    });

    it('flags self.helper(...) calls to a method that sends mail', () => {
      const src = code`
        import smtplib

        class Mailer:
            def deliver(self, msg):
                with smtplib.SMTP(self.host) as s:
                    s.send_message(msg)

            async def notify(self, user):
                self.deliver(make(user))
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['self.deliver(make(user))']);
    });

    it('matches self.method(...) within its own class only', () => {
      const src = code`
        import smtplib

        class EmailBackend:
            def open(self):
                self.connection = smtplib.SMTP(self.host)

        class Socket:
            def open(self):
                self.sock = connect()

            async def reconnect(self):
                self.open()
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('leaves the look-alikes alone', () => {
      const src = code`
        import asyncio
        import smtplib
        import aiosmtplib
        from aiosmtplib import SMTP
        from fastapi import BackgroundTasks
        from logging.handlers import SMTPHandler

        def send_email(to, body):
            with smtplib.SMTP(HOST) as s:
                s.sendmail(FROM, [to], body)

        @app.post("/signup")
        async def signup(user: User, background_tasks: BackgroundTasks):
            background_tasks.add_task(send_email, user.email, WELCOME)
            await asyncio.to_thread(send_email, user.email, WELCOME)
            await loop.run_in_executor(None, send_email, user.email, WELCOME)
            await loop.run_in_executor(None, lambda: smtplib.SMTP(HOST).send_message(m))
            await aiosmtplib.send(message, hostname=HOST)
            async with SMTP(hostname=HOST) as client:
                await client.send_message(message)
            log.addHandler(SMTPHandler(HOST, FROM, [ADMIN], "errors"))

        @shared_task
        def welcome_task(email):
            with smtplib.SMTP(HOST) as s:
                s.sendmail(FROM, [email], WELCOME)

        @app.task(bind=True)
        def digest_task(self, users):
            for u in users:
                smtplib.SMTP(HOST).send_message(digest(u))

        def nightly_report():
            send_email(ADMIN, report())

        with smtplib.SMTP(HOST) as s:
            for u in users:
                s.send_message(digest(u))
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('leaves one connection reused across a loop, retry loops and worker loops alone', () => {
      const src = code`
        import smtplib

        def send_digest(users):
            with smtplib.SMTP(HOST) as s:
                for user in users:
                    s.send_message(digest(user))

        def send_with_retry(msg):
            for attempt in range(3):
                try:
                    smtplib.SMTP(HOST).send_message(msg)
                    break
                except OSError:
                    time.sleep(2 ** attempt)
            for _ in range(3):
                smtplib.SMTP(HOST).send_message(msg)

        def worker():
            while True:
                msg = queue.get()
                smtplib.SMTP(HOST).send_message(msg)

        def check_auth_mechanisms():
            for mechanism in ("PLAIN", "LOGIN"):
                smtplib.SMTP(HOST).login(USER, PASSWORD)
            supported = {"PLAIN", "LOGIN"}
            supported.add("CRAM-MD5")
            for mechanism in supported:
                smtplib.SMTP(HOST).login(USER, PASSWORD)
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('still flags a loop over a collection that comes from elsewhere', () => {
      const src = code`
        import smtplib

        def notify(users):
            recipients = [u.email for u in users]
            for email in recipients:
                smtplib.SMTP(HOST).sendmail(FROM, [email], body)
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['smtplib.SMTP(HOST)']);
    });

    it('leaves a per-item loop in a function handed to a thread or a background task alone', () => {
      const src = code`
        import smtplib

        def send_digest(users):
            for user in users:
                smtplib.SMTP(HOST).send_message(digest(user))

        @app.post("/digest")
        async def digest_route(background_tasks: BackgroundTasks):
            background_tasks.add_task(send_digest, await all_users())
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('does not take SMTP names from other modules, or a helper of another module, for smtplib', () => {
      const src = code`
        from aiosmtplib import SMTP
        from .mail import send_welcome

        def send_code(email):
            SMTP(hostname=HOST)

        async def signup(user):
            send_welcome(user.email)
            send_code(user.email)
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('takes SMTP from what the names resolve to: the project\'s own SMTP class is not smtplib\'s; a scheduler\'s async job still runs on the loop', () => {
      const src = code`
        import smtplib
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from .relay import SMTP

        scheduler = AsyncIOScheduler()

        async def queue_welcome(user):
            SMTP(HOST).enqueue(user.email)

        async def nightly():
            smtplib.SMTP(HOST).send_message(m)

        scheduler.add_job(nightly, "cron", hour=3)
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['smtplib.SMTP(HOST)']);
    });

    it('flags a nested sync function called directly, not one handed to a thread', () => {
      const src = code`
        import asyncio
        import smtplib

        async def signup(user):
            def _send():
                with smtplib.SMTP(HOST) as s:
                    s.send_message(welcome(user))
            _send()

        async def invite(user):
            def _send_invite():
                smtplib.SMTP(HOST).send_message(invite_mail(user))
            await asyncio.to_thread(_send_invite)
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['_send()']);
    });

    it('flags a while loop that drains a list, not a consumer loop', () => {
      const src = code`
        import smtplib

        def drain(pending):
            while pending:
                msg = pending.pop()
                smtplib.SMTP(HOST).send_message(msg)
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['smtplib.SMTP(HOST)']);
    });

    it('fix: runs the helper with await asyncio.to_thread, adding the import (safe, preferred)', () => {
      const src = code`
        import smtplib

        def send_welcome(email, name=None):
            with smtplib.SMTP(HOST) as s:
                s.sendmail(FROM, [email], WELCOME)

        async def signup(user):
            await users.insert_one(user)
            send_welcome(user.email, name=user.name)
            return {"ok": True}
      `;
      assert.deepStrictEqual(offeredFixes('python', src, ID), ['to-thread']);
      assert.strictEqual(
        applyFix('python', src, ID, 'to-thread'),
        code`
          import smtplib
          import asyncio

          def send_welcome(email, name=None):
              with smtplib.SMTP(HOST) as s:
                  s.sendmail(FROM, [email], WELCOME)

          async def signup(user):
              await users.insert_one(user)
              await asyncio.to_thread(send_welcome, user.email, name=user.name)
              return {"ok": True}
        `,
      );
    });

    it('fix: to_thread on an assigned or returned result, and on a method', () => {
      const src = code`
        import asyncio
        import smtplib

        class Mailer:
            def deliver(self, msg):
                return smtplib.SMTP(HOST).send_message(msg)

            async def notify(self, user):
                refused = self.deliver(
                    make(user),
                )
                return self.deliver(receipt(user))
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['self.deliver(\n            make(user),\n        )', 'self.deliver(receipt(user))']);
      const once = applyFix('python', src, ID, 'to-thread');
      assert.strictEqual(
        applyFix('python', once, ID, 'to-thread'),
        code`
          import asyncio
          import smtplib

          class Mailer:
              def deliver(self, msg):
                  return smtplib.SMTP(HOST).send_message(msg)

              async def notify(self, user):
                  refused = await asyncio.to_thread(self.deliver,
                      make(user),
                  )
                  return await asyncio.to_thread(self.deliver, receipt(user))
        `,
      );
    });

    it('fix: in a FastAPI route, moves the call to BackgroundTasks.add_task, adding the parameter and import (unsafe)', () => {
      const src = code`
        import smtplib
        from fastapi import FastAPI, Depends

        app = FastAPI()

        def send_welcome(email):
            with smtplib.SMTP(HOST) as s:
                s.sendmail(FROM, [email], WELCOME)

        @app.post("/signup")
        def signup(user: User, db=Depends(get_db)):
            db.add(user)
            send_welcome(user.email)
            return user
      `;
      assert.deepStrictEqual(offeredFixes('python', src, ID), ['background-task']);
      assert.strictEqual(
        applyFix('python', src, ID, 'background-task'),
        code`
          import smtplib
          from fastapi import FastAPI, Depends, BackgroundTasks

          app = FastAPI()

          def send_welcome(email):
              with smtplib.SMTP(HOST) as s:
                  s.sendmail(FROM, [email], WELCOME)

          @app.post("/signup")
          def signup(user: User, background_tasks: BackgroundTasks, db=Depends(get_db)):
              db.add(user)
              background_tasks.add_task(send_welcome, user.email)
              return user
        `,
      );
    });

    it('fix: add_task reuses an existing BackgroundTasks parameter; an async route prefers to_thread', () => {
      const src = code`
        import smtplib
        from fastapi import APIRouter, BackgroundTasks

        def send_welcome(email):
            smtplib.SMTP(HOST).sendmail(FROM, [email], WELCOME)

        @router.post("/signup")
        async def signup(
            user: User,
            tasks: BackgroundTasks,
        ):
            send_welcome(user.email)
      `;
      assert.deepStrictEqual(offeredFixes('python', src, ID), ['to-thread', 'background-task']);
      assert.strictEqual(
        applyFix('python', src, ID, 'background-task'),
        code`
          import smtplib
          from fastapi import APIRouter, BackgroundTasks

          def send_welcome(email):
              smtplib.SMTP(HOST).sendmail(FROM, [email], WELCOME)

          @router.post("/signup")
          async def signup(
              user: User,
              tasks: BackgroundTasks,
          ):
              tasks.add_task(send_welcome, user.email)
        `,
      );
    });

    it('fix: add_task appends a parameter to a multi-line list and after keyword-only parameters', () => {
      const multi = code`
        from fastapi import FastAPI
        import smtplib

        def send_welcome(email):
            smtplib.SMTP(HOST).sendmail(FROM, [email], WELCOME)

        @app.post("/signup")
        def signup(
            user: User,
            db: Session = Depends(get_db),
        ):
            send_welcome(user.email)
      `;
      assert.strictEqual(
        applyFix('python', multi, ID, 'background-task'),
        code`
          from fastapi import FastAPI, BackgroundTasks
          import smtplib

          def send_welcome(email):
              smtplib.SMTP(HOST).sendmail(FROM, [email], WELCOME)

          @app.post("/signup")
          def signup(
              user: User,
              background_tasks: BackgroundTasks,
              db: Session = Depends(get_db),
          ):
              background_tasks.add_task(send_welcome, user.email)
        `,
      );
      const kwOnly = code`
        import fastapi
        import smtplib

        def send_welcome(email):
            smtplib.SMTP(HOST).sendmail(FROM, [email], WELCOME)

        @app.post("/signup")
        def signup(*, limit: int = 10, **extra):
            send_welcome(ADMIN)
      `;
      assert.strictEqual(
        applyFix('python', kwOnly, ID, 'background-task'),
        code`
          import fastapi
          import smtplib
          from fastapi import BackgroundTasks

          def send_welcome(email):
              smtplib.SMTP(HOST).sendmail(FROM, [email], WELCOME)

          @app.post("/signup")
          def signup(*, limit: int = 10, background_tasks: BackgroundTasks, **extra):
              background_tasks.add_task(send_welcome, ADMIN)
        `,
      );
    });

    it('offers no fix where its shape does not fit', () => {
      // SMTP used inline in an async def: the block has to become a helper first (the doc explains).
      const inline = code`
        import smtplib

        async def signup(user):
            with smtplib.SMTP(HOST) as s:
                s.send_message(m)
      `;
      assert.deepStrictEqual(offeredFixes('python', inline, ID), []);
      // A Flask route: no BackgroundTasks, and a sync function cannot await.
      const flask = code`
        import smtplib
        from flask import Flask

        def send_welcome(email):
            smtplib.SMTP(HOST).sendmail(FROM, [email], WELCOME)

        @app.post("/signup")
        def signup():
            send_welcome(request.form["email"])
            return "ok"
      `;
      assert.deepStrictEqual(offeredFixes('python', flask, ID), []);
      // The result is used: it cannot be deferred until after the response.
      const used = code`
        import smtplib
        from fastapi import FastAPI

        def send_welcome(email):
            return smtplib.SMTP(HOST).sendmail(FROM, [email], WELCOME)

        @app.post("/signup")
        def signup(user: User):
            refused = send_welcome(user.email)
            return {"refused": refused}
      `;
      assert.deepStrictEqual(offeredFixes('python', used, ID), []);
    });

    it('fix-all: applies to_thread to every helper call and adds one import; never the unsafe add_task', () => {
      const src = code`
        import smtplib
        from fastapi import FastAPI

        def send_welcome(email):
            smtplib.SMTP(HOST).sendmail(FROM, [email], WELCOME)

        @app.post("/signup")
        async def signup(user: User):
            send_welcome(user.email)
            send_welcome(ADMIN)

        @app.post("/invite")
        def invite(user: User):
            send_welcome(user.email)
      `;
      assert.strictEqual(
        fixAll('python', src),
        code`
          import smtplib
          from fastapi import FastAPI
          import asyncio

          def send_welcome(email):
              smtplib.SMTP(HOST).sendmail(FROM, [email], WELCOME)

          @app.post("/signup")
          async def signup(user: User):
              await asyncio.to_thread(send_welcome, user.email)
              await asyncio.to_thread(send_welcome, ADMIN)

          @app.post("/invite")
          def invite(user: User):
              send_welcome(user.email)
        `,
      );
    });
  });

  describe('go', () => {
    it('flags smtp.SendMail and DialAndSend in HTTP handlers (net/http, gin, echo, fiber)', () => {
      const src = code`
        package main

        func signup(w http.ResponseWriter, r *http.Request) {
            smtp.SendMail(addr, auth, from, []string{to}, msg)
            w.WriteHeader(http.StatusCreated)
        }

        func (h *Handler) Invite(c *gin.Context) {
            if err := h.dialer.DialAndSend(m); err != nil {
                c.AbortWithStatus(500)
            }
        }

        func reset(c echo.Context) error {
            return smtp.SendMail(addr, auth, from, to, msg)
        }

        func contact(c *fiber.Ctx) error {
            return d.DialAndSend(m)
        }

        func routes(mux *http.ServeMux) {
            mux.HandleFunc("/welcome", func(w http.ResponseWriter, r *http.Request) {
                smtp.SendMail(addr, auth, from, to, msg)
            })
        }
      `;
      const found = findingsOf('go', src, ID);
      assert.deepStrictEqual(found.map((f) => src.slice(f.start, f.end)), [
        'smtp.SendMail(addr, auth, from, []string{to}, msg)',
        'h.dialer.DialAndSend(m)',
        'smtp.SendMail(addr, auth, from, to, msg)',
        'd.DialAndSend(m)',
        'smtp.SendMail(addr, auth, from, to, msg)',
      ]);
      assert.deepStrictEqual(new Set(found.map((f) => f.severity)), new Set(['warning']));
      assert.match(found[0].message, /HTTP handler `signup`/);
      assert.match(found[0].message, /requests pile up/);
    });

    it('flags one send per item of a loop', () => {
      const src = code`
        package main

        func sendDigest(users []User) {
            for _, u := range users {
                smtp.SendMail(addr, auth, from, []string{u.Email}, digest(u))
            }
            for i := 0; i < len(users); i++ {
                d.DialAndSend(build(users[i]))
            }
        }
      `;
      const found = findingsOf('go', src, ID);
      assert.deepStrictEqual(found.map((f) => src.slice(f.start, f.end)), [
        'smtp.SendMail(addr, auth, from, []string{u.Email}, digest(u))',
        'd.DialAndSend(build(users[i]))',
      ]);
      assert.match(found[0].message, /every item of the loop/);
    });

    it('takes a one-variable range over a slice as per item, and over a channel parameter as a worker', () => {
      const src = code`
        package main

        func notify(users []User, in <-chan Message) {
            for i := range users {
                smtp.SendMail(addr, auth, from, []string{users[i].Email}, body)
            }
            for m := range in {
                smtp.SendMail(addr, auth, from, m.To, m.Body)
            }
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), ['smtp.SendMail(addr, auth, from, []string{users[i].Email}, body)']);
    });

    it('leaves goroutines, worker pools, queue consumers and retry loops alone', () => {
      const src = code`
        package main

        func signup(w http.ResponseWriter, r *http.Request) {
            go func() {
                smtp.SendMail(addr, auth, from, to, msg)
            }()
            g.Go(func() error { return d.DialAndSend(m) })
            jobs <- EmailJob{To: to}
        }

        func worker(jobs <-chan EmailJob) {
            for job := range jobs {
                smtp.SendMail(addr, auth, from, []string{job.To}, job.Body)
            }
        }

        func (s *Server) mailLoop() {
            for m := range s.mail {
                smtp.SendMail(addr, nil, from, []string{m.To}, m.Body)
            }
        }

        func consume(ch *amqp.Channel) {
            msgs, _ := ch.Consume("email", "", false, false, false, false, nil)
            for d := range msgs {
                smtp.SendMail(addr, auth, from, to, d.Body)
            }
            for {
                m := <-queue
                dialer.DialAndSend(m)
            }
        }

        func sendWithRetry(m *gomail.Message) error {
            var err error
            for attempt := 0; attempt < maxRetries; attempt++ {
                if err = dialer.DialAndSend(m); err == nil {
                    return nil
                }
            }
            return err
        }

        func sendWelcome(to string) error {
            return smtp.SendMail(addr, auth, from, []string{to}, welcome)
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
    });
  });

  it('go: a handler that calls a helper which sends mail is flagged through the call; not when it runs the helper with `go`', () => {
    const src = code`
      package main

      import "net/smtp"

      func notifyOwner(to string) error {
          return smtp.SendMail(addr, auth, from, []string{to}, body)
      }

      func invite(w http.ResponseWriter, r *http.Request) {
          notifyOwner(r.FormValue("email"))
          w.WriteHeader(http.StatusCreated)
      }

      func relay(w http.ResponseWriter, r *http.Request) {
          go notifyOwner(r.FormValue("email"))
          w.WriteHeader(http.StatusAccepted)
      }
    `;
    // Only the call in `invite` (line 10), not the one `relay` starts with `go`.
    assert.deepStrictEqual(findingsOf('go', src, ID).map((f) => src.slice(0, f.start).split('\n').length), [10]);
  });

  it('go: a project\'s own SendMail (a queue, not a mail server) is not net/smtp\'s', () => {
    const src = code`
      package main

      import "example.com/app/outbox"

      func signup(w http.ResponseWriter, r *http.Request) {
          outbox.SendMail(r.Context(), to, msg)
          w.WriteHeader(http.StatusCreated)
      }
    `;
    assert.deepStrictEqual(hits('go', src, ID), []);
  });

  for (const lang of ['typescript', 'javascript'] as const) {
    describe(lang, () => {
      it('flags nodemailer.createTransport inside a function', () => {
        const src = code`
          import nodemailer from 'nodemailer';

          export async function sendWelcome(to) {
            const transporter = nodemailer.createTransport({ host: 'smtp.example.com', port: 587 });
            await transporter.sendMail({ to, subject: 'Welcome' });
          }

          app.post('/reset', async (req, res) => {
            await nodemailer.createTransport(process.env.SMTP_URL).sendMail(resetMail(req.body.email));
            res.sendStatus(204);
          });
        `;
        const found = findingsOf(lang, src, ID);
        assert.deepStrictEqual(found.map((f) => src.slice(f.start, f.end)), [
          "nodemailer.createTransport({ host: 'smtp.example.com', port: 587 })",
          'nodemailer.createTransport(process.env.SMTP_URL)',
        ]);
        assert.strictEqual(found[0].severity, 'warning');
        assert.match(found[0].message, /new SMTP transport on every call of `sendWelcome`/);
      });

      it('flags createTransport imported from nodemailer, under its import names', () => {
        const src = code`
          import { createTransport } from 'nodemailer';
          const mailer = require('nodemailer');

          async function a(to) {
            const t = createTransport({ host: HOST });
            await t.sendMail({ to });
          }

          async function b(to) {
            const t = mailer.createTransport({ host: HOST });
            await t.sendMail({ to });
          }

          async function c(to) {
            const t = require('nodemailer').createTransport({ host: HOST });
            await t.sendMail({ to });
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), [
          'createTransport({ host: HOST })',
          'mailer.createTransport({ host: HOST })',
          "require('nodemailer').createTransport({ host: HOST })",
        ]);
      });

      it('leaves a project\'s own createTransport and sendMail alone', () => {
        const src = code`
          import { createTransport } from './queue';

          export async function notify(users) {
            const t = createTransport({ queue: 'mail' });
            for (const u of users) {
              await sendMail(u);
            }
          }

          async function sendMail(u) {
            return enqueue('mail', u);
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });

      it('flags await sendMail once per item of a loop', () => {
        const src = code`
          async function sendDigest(users) {
            for (const user of users) {
              await transporter.sendMail(digest(user));
            }
            let i = 0;
            while (i < users.length) {
              await transporter.sendMail(digest(users[i++]));
            }
          }
        `;
        const found = findingsOf(lang, src, ID);
        assert.deepStrictEqual(found.map((f) => src.slice(f.start, f.end)), [
          'transporter.sendMail(digest(user))',
          'transporter.sendMail(digest(users[i++]))',
        ]);
        assert.match(found[0].message, /10k recipients take hours/);
      });

      it('flags forEach callbacks but not for (;;) worker loops', () => {
        const src = code`
          async function notify(users) {
            users.forEach(async (u) => {
              await transporter.sendMail(digest(u));
            });
            for (;;) {
              const job = await next();
              await transporter.sendMail(job);
            }
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ['transporter.sendMail(digest(u))']);
      });

      it('leaves sends that Promise.all runs at once to unbounded-fan-out (they are not one round-trip after another)', () => {
        // Judged on documenso: the cancellation mails of one document, sent together.
        const src = code`
          async function notify(users) {
            await Promise.all(
              users.map(async (u) => {
                await transporter.sendMail(digest(u));
              }),
            );
            await Promise.allSettled(users.map(async (u) => await transporter.sendMail(digest(u))));
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
        assert.strictEqual(hits(lang, src, 'unbounded-fan-out').length, 2);
        // A map whose promises nothing awaits together is still a loop of sends.
        const unawaited = code`
          async function notify(users) {
            const sent = users.map(async (u) => {
              await transporter.sendMail(digest(u));
            });
            return sent;
          }
        `;
        assert.deepStrictEqual(hits(lang, unawaited, ID), ['transporter.sendMail(digest(u))']);
      });

      it('leaves module-level transports, cached transports, factories and queues alone', () => {
        const src = code`
          import nodemailer from 'nodemailer';

          const transporter = nodemailer.createTransport({ pool: true, host: HOST });
          let cached;

          function getTransport() {
            cached ??= nodemailer.createTransport({ host: HOST });
            return cached;
          }

          export function makeTransport(config) {
            return nodemailer.createTransport(config.smtp);
          }

          function createMailer(cfg) {
            const transport = nodemailer.createTransport(cfg);
            return { send: (m) => transport.sendMail(m) };
          }

          class MailService {
            constructor(config) {
              this.transporter = nodemailer.createTransport(config);
            }
            async send(msg) {
              await this.transporter.sendMail(msg);
            }
          }

          async function main() {
            const t = nodemailer.createTransport({ host: HOST });
            await t.verify();
          }

          function testMailer() {
            return [nodemailer.createTransport({ jsonTransport: true }), nodemailer.createTransport(sgTransport({ apiKey }))];
          }

          app.post('/signup', async (req, res) => {
            await transporter.sendMail(welcome(req.body.email));
            await emailQueue.add('welcome', { to: req.body.email });
            res.sendStatus(201);
          });

          async function enqueueAll(users) {
            for (const u of users) {
              await emailQueue.add('digest', { to: u.email });
            }
            for (let attempt = 0; attempt < 3; attempt++) {
              try { await transporter.sendMail(msg); break; } catch (e) {}
            }
            while (true) {
              const job = await queue.pop();
              await transporter.sendMail(job.data);
            }
          }

          for (const u of users) {
            await transporter.sendMail(digest(u));
          }

          (async () => {
            const t = nodemailer.createTransport({ host: HOST });
            await t.sendMail(report());
          })();
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });

      it('fix: hoists the transport to module scope with pool: true (safe)', () => {
        const src = code`
          import nodemailer from 'nodemailer';

          const SMTP_HOST = process.env.SMTP_HOST;

          export async function sendWelcome(to) {
            const transporter = nodemailer.createTransport({
              host: SMTP_HOST,
              port: 587,
            });
            await transporter.sendMail({ to, subject: 'Welcome' });
          }
        `;
        assert.deepStrictEqual(offeredFixes(lang, src, ID), ['hoist-transport']);
        assert.strictEqual(
          applyFix(lang, src, ID, 'hoist-transport'),
          code`
            import nodemailer from 'nodemailer';

            const SMTP_HOST = process.env.SMTP_HOST;

            const transporter = nodemailer.createTransport({
              pool: true,
              host: SMTP_HOST,
              port: 587,
            });

            export async function sendWelcome(to) {
              await transporter.sendMail({ to, subject: 'Welcome' });
            }
          `,
        );
      });

      it('fix: hoisting after the require, in a handler, replaces pool: false', () => {
        const src = code`
          const nodemailer = require('nodemailer');

          router.post('/contact', async (req, res) => {
            let mailer = nodemailer.createTransport({ host: 'smtp.example.com', pool: false });
            await mailer.sendMail(contactMail(req.body));
            res.end();
          });
        `;
        assert.strictEqual(
          applyFix(lang, src, ID, 'hoist-transport'),
          code`
            const nodemailer = require('nodemailer');

            let mailer = nodemailer.createTransport({ host: 'smtp.example.com', pool: true });

            router.post('/contact', async (req, res) => {
              await mailer.sendMail(contactMail(req.body));
              res.end();
            });
          `,
        );
      });

      it('fix: hoisting keeps CRLF line endings', () => {
        const src = [
          "import nodemailer from 'nodemailer';",
          '',
          'export async function sendWelcome(to) {',
          '  const transporter = nodemailer.createTransport({',
          "    host: 'smtp.example.com',",
          '  });',
          '  await transporter.sendMail({ to });',
          '}',
          '',
        ].join('\r\n');
        assert.strictEqual(
          applyFix(lang, src, ID, 'hoist-transport'),
          [
            "import nodemailer from 'nodemailer';",
            '',
            'const transporter = nodemailer.createTransport({',
            '  pool: true,',
            "  host: 'smtp.example.com',",
            '});',
            '',
            'export async function sendWelcome(to) {',
            '  await transporter.sendMail({ to });',
            '}',
            '',
          ].join('\r\n'),
        );
      });

      it('fix: a second function with the same transport reuses the hoisted one', () => {
        const src = code`
          import nodemailer from 'nodemailer';

          const transporter = nodemailer.createTransport({ pool: true, host: 'smtp.example.com' });

          export async function sendWelcome(to) {
            await transporter.sendMail({ to });
          }

          export async function sendReset(to) {
            const transporter = nodemailer.createTransport({ host: 'smtp.example.com' });
            await transporter.sendMail({ to });
          }
        `;
        assert.strictEqual(
          applyFix(lang, src, ID, 'hoist-transport'),
          code`
            import nodemailer from 'nodemailer';

            const transporter = nodemailer.createTransport({ pool: true, host: 'smtp.example.com' });

            export async function sendWelcome(to) {
              await transporter.sendMail({ to });
            }

            export async function sendReset(to) {
              await transporter.sendMail({ to });
            }
          `,
        );
      });

      it('fix-all: two functions with the same transport share one hoisted, pooled transport', () => {
        const src = code`
          import nodemailer from 'nodemailer';

          export async function sendWelcome(to) {
            const transporter = nodemailer.createTransport({ host: 'smtp.example.com' });
            await transporter.sendMail({ to, subject: 'Welcome' });
          }

          export async function sendReset(to) {
            const transporter = nodemailer.createTransport({ host: 'smtp.example.com' });
            await transporter.sendMail({ to, subject: 'Reset' });
          }
        `;
        assert.strictEqual(
          fixAll(lang, src),
          code`
            import nodemailer from 'nodemailer';

            const transporter = nodemailer.createTransport({ pool: true, host: 'smtp.example.com' });

            export async function sendWelcome(to) {
              await transporter.sendMail({ to, subject: 'Welcome' });
            }

            export async function sendReset(to) {
              await transporter.sendMail({ to, subject: 'Reset' });
            }
          `,
        );
      });

      it('offers no hoist when the options depend on the function, or the shape does not fit', () => {
        const cases = [
          // a parameter
          code`
            import nodemailer from 'nodemailer';
            export async function send(cfg, to) {
              const t = nodemailer.createTransport({ host: cfg.host });
              await t.sendMail({ to });
            }
          `,
          // a local variable, used through a shorthand property
          code`
            import nodemailer from 'nodemailer';
            export async function send(to) {
              const host = await lookupHost();
              const t = nodemailer.createTransport({ host });
              await t.sendMail({ to });
            }
          `,
          // this
          code`
            import nodemailer from 'nodemailer';
            class Mailer {
              async send(to) {
                const t = nodemailer.createTransport(this.options);
                await t.sendMail({ to });
              }
            }
          `,
          // not an options object
          code`
            import nodemailer from 'nodemailer';
            export async function send(to) {
              const t = nodemailer.createTransport(process.env.SMTP_URL);
              await t.sendMail({ to });
            }
          `,
          // not assigned to a variable
          code`
            import nodemailer from 'nodemailer';
            export async function send(to) {
              await nodemailer.createTransport({ host: HOST }).sendMail({ to });
            }
          `,
          // a different module-level transport already has the name
          code`
            import nodemailer from 'nodemailer';
            const t = nodemailer.createTransport({ pool: true, host: OTHER });
            export async function send(to) {
              const t = nodemailer.createTransport({ host: HOST });
              await t.sendMail({ to });
            }
          `,
        ];
        for (const src of cases) assert.deepStrictEqual(offeredFixes(lang, src, ID), [], src);
      });
    });
  }
});
