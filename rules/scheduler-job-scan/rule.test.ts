import * as assert from 'assert';
import { defaultConfig } from '../../server/src/config/config';
import { analyzeText } from '../../server/src/engine/index';
import { applyFix, code, config, findingsOf, grammarOf, hits, offeredFixes, type TestLanguage } from '../../server/test/harness';

const ID = 'scheduler-job-scan';

/** The rule's evidence in a source, as [message, text]. */
function evidence(lang: TestLanguage, src: string): [string, string][] {
  return analyzeText(src, grammarOf(lang), defaultConfig())
    .evidence.filter((e) => e.ruleId === ID)
    .map((e) => [e.message, src.slice(e.start, e.end)]);
}

/** Severity of each finding of the rule, in order. */
function severities(lang: TestLanguage, src: string, targetUsers?: '1k' | '10k'): string[] {
  return findingsOf(lang, src, ID, targetUsers ? config({ targetUsers }) : undefined).map((f) => f.severity);
}

describe(ID, () => {
  describe('python', () => {
    it('flags a loop over get_jobs() that picks a job by id, name, args or kwargs', () => {
      const src = code`
        def cancel_reminder(scheduler, user_id):
            for job in scheduler.get_jobs():
                if job.id == f"reminder-{user_id}":
                    job.remove()

        def pause_digest(sched, name):
            for job in sched.get_jobs():
                if job.name == name and job.next_run_time is not None:
                    job.pause()

        def drop_user_jobs(scheduler, user_id):
            for job in scheduler.get_jobs():
                if job.args[0] != user_id:
                    continue
                job.remove()

        def find_export(scheduler, user_id):
            for job in app.state.scheduler.get_jobs():
                if job.kwargs.get("user_id") == user_id:
                    return job

        def user_jobs(scheduler, user_id):
            for job in scheduler.get_jobs():
                if job.id.startswith(f"user-{user_id}:"):
                    job.remove()
      `;
      assert.deepStrictEqual(hits('python', src, ID), [
        'scheduler.get_jobs()',
        'sched.get_jobs()',
        'scheduler.get_jobs()',
        'app.state.scheduler.get_jobs()',
        'scheduler.get_jobs()',
      ]);
    });

    it('flags comprehensions and generator lookups over get_jobs()', () => {
      const src = code`
        def lookups(scheduler, sched, job_id, name, user_id):
            a = [j for j in scheduler.get_jobs() if j.id == job_id]
            b = next(j for j in sched.get_jobs() if j.name == name)
            c = any(j.id == job_id for j in scheduler.get_jobs())
            d = job_id not in [j.id for j in scheduler.get_jobs()]
            e = len([j for j in scheduler.get_jobs() if str(user_id) in j.id])
      `;
      assert.deepStrictEqual(hits('python', src, ID), [
        'scheduler.get_jobs()',
        'sched.get_jobs()',
        'scheduler.get_jobs()',
        'scheduler.get_jobs()',
        'scheduler.get_jobs()',
      ]);
    });

    it('follows the job list through a variable to the loop or comprehension that searches it', () => {
      const src = code`
        def cancel(scheduler, user_id):
            jobs = scheduler.get_jobs()
            log.info("%d jobs", len(jobs))
            for job in jobs:
                if job.args[0] == user_id:
                    job.remove()

        def has_job(scheduler, job_id):
            jobs = scheduler.get_jobs()
            return any(j.id == job_id for j in jobs)
      `;
      assert.deepStrictEqual(hits('python', src, ID), ['scheduler.get_jobs()', 'scheduler.get_jobs()']);
    });

    it('flags RQ queues and APScheduler 4 schedules, with the advice of each', () => {
      const src = code`
        def rq_lookup(queue, job_id):
            return [j for j in queue.get_jobs() if j.id == job_id]

        async def ap4_lookup(scheduler, schedule_id):
            for s in await scheduler.get_schedules():
                if s.id == schedule_id:
                    return s
      `;
      const [rq, ap4] = findingsOf('python', src, ID);
      assert.match(rq.message, /every job in the queue to find one by `j.id`/);
      assert.match(rq.message, /queue\.fetch_job\(job_id\)/);
      assert.match(ap4.message, /every schedule to find one by `s.id`/);
      assert.match(ap4.message, /scheduler\.get_schedule\(id\)/);
    });

    it('says what breaks and raises to error per request and per item of a loop', () => {
      const src = code`
        @router.delete("/reminders/{user_id}")
        async def delete_reminder(user_id: str):
            for job in scheduler.get_jobs():
                if job.id == f"reminder-{user_id}":
                    job.remove()

        def nightly(users):
            for user in users:
                stale = [j for j in scheduler.get_jobs() if j.args[0] == user.id]

        def once(job_id):
            return [j for j in scheduler.get_jobs() if j.id == job_id]
      `;
      const [handler] = findingsOf('python', src, ID);
      assert.strictEqual(
        handler.message,
        '`scheduler.get_jobs()` loads every scheduled job to find one by `job.id`: each call walks all of them (with a job per user, 10k users means 10k jobs read per call), and done per user it is O(users × jobs) — and here it runs on every request. Look it up or remove it by id: `scheduler.get_job(job_id)`, `scheduler.remove_job(job_id)`.',
      );
      assert.deepStrictEqual(severities('python', src), ['error', 'error', 'warning']);
      assert.deepStrictEqual(severities('python', src, '1k'), ['error', 'error', 'info']);
      assert.match(findingsOf('python', src, ID)[1].message, /once per item of a loop/);
      assert.match(findingsOf('python', src, ID)[1].message, /Give the job a deterministic id/);
      assert.deepStrictEqual(
        findingsOf('python', src, ID)[0].related.map((r) => [src.slice(r.start, r.end), r.message]),
        [['job.id == f"reminder-{user_id}"', 'the job is picked here, after every job was loaded']],
      );
    });

    it('leaves lookups by id, listings, counts, fixed names and bulk sweeps alone', () => {
      const src = code`
        def fine(scheduler, job_id, user_id, stale_ids, cutoff):
            job = scheduler.get_job(job_id)
            scheduler.remove_job(job_id)
            listing = [{"id": j.id, "next": j.next_run_time} for j in scheduler.get_jobs()]
            for job in scheduler.get_jobs():
                log.info("job %s next at %s", job.id, job.next_run_time)
            count = len(scheduler.get_jobs())
            for job in scheduler.get_jobs():
                if job.name == "daily-digest":
                    job.reschedule("cron", hour=8)
            for job in scheduler.get_jobs():
                if job.id in stale_ids:
                    job.remove()
            for job in scheduler.get_jobs():
                if job.next_run_time < cutoff:
                    job.remove()
            for job in scheduler.get_jobs():
                if job.func == send_digest:
                    job.pause()
            for job in jobs_from_db:
                if job.id == job_id:
                    return job
            mine = [j for j in user_jobs if j.id == job_id]
            jobs = scheduler.get_jobs()
            return {"jobs": [j.id for j in jobs]}

        jobs = scheduler.get_jobs()
        for job in jobs:
            if job.id == JOB_ID:
                job.remove()
      `;
      assert.deepStrictEqual(hits('python', src, ID), []);
    });

    it('counts get_jobs() on a receiver of another name only in a file that imports APScheduler or RQ', () => {
      const body = code`
        def find(jobs_repo, job_id):
            for job in jobs_repo.get_jobs():
                if job.id == job_id:
                    return job
      `;
      assert.deepStrictEqual(hits('python', body, ID), []);
      assert.deepStrictEqual(hits('python', `from apscheduler.schedulers.background import BackgroundScheduler\n\n${body}`, ID), ['jobs_repo.get_jobs()']);
      assert.deepStrictEqual(hits('python', `import rq\n\n${body}`, ID), ['jobs_repo.get_jobs()']);
    });

    it('fix: removes the job by id, tolerating a job that is already gone', () => {
      const src = code`
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        def cancel(sched, user_id):
            log.info("cancelling")
            for job in sched.get_jobs():
                if job.id == f"reminder-{user_id}":
                    job.remove()
                    break
            return True
      `;
      assert.deepStrictEqual(offeredFixes('python', src, ID), ['remove-job-by-id']);
      assert.strictEqual(
        applyFix('python', src, ID, 'remove-job-by-id'),
        code`
          from apscheduler.schedulers.asyncio import AsyncIOScheduler

          def cancel(sched, user_id):
              log.info("cancelling")
              if sched.get_job(f"reminder-{user_id}") is not None:
                  sched.remove_job(f"reminder-{user_id}")
              return True
        `,
      );
      const other = code`
        class Reminders:
            def cancel(self, job_id):
                for job in self.scheduler.get_jobs():
                    if job_id == job.id:
                        self.scheduler.remove_job(job.id)
      `;
      assert.strictEqual(
        applyFix('python', other, ID, 'remove-job-by-id'),
        code`
          class Reminders:
              def cancel(self, job_id):
                  if self.scheduler.get_job(job_id) is not None:
                      self.scheduler.remove_job(job_id)
        `,
      );
    });

    it('fix: looks the job up with get_job where that is exactly what the code computes', () => {
      const src = code`
        def lookups(scheduler, job_id):
            job = next((j for j in scheduler.get_jobs() if j.id == job_id), None)
            exists = any(j.id == job_id for j in scheduler.get_jobs())
            if job_id not in [j.id for j in scheduler.get_jobs()]:
                return None
            return job, exists
      `;
      const once = applyFix('python', src, ID, 'get-job-by-id');
      assert.strictEqual(once, src.replace('next((j for j in scheduler.get_jobs() if j.id == job_id), None)', 'scheduler.get_job(job_id)'));
      const twice = applyFix('python', once, ID, 'get-job-by-id');
      assert.strictEqual(twice, once.replace('any(j.id == job_id for j in scheduler.get_jobs())', 'scheduler.get_job(job_id) is not None'));
      const thrice = applyFix('python', twice, ID, 'get-job-by-id');
      assert.strictEqual(
        thrice,
        code`
          def lookups(scheduler, job_id):
              job = scheduler.get_job(job_id)
              exists = scheduler.get_job(job_id) is not None
              if scheduler.get_job(job_id) is None:
                  return None
              return job, exists
        `,
      );
      assert.deepStrictEqual(hits('python', thrice, ID), []);
      // Inside another comparison the replacement keeps its own meaning.
      const nested = 'def f(scheduler, job_id, flag):\n    return any(j.id == job_id for j in scheduler.get_jobs()) == flag\n';
      assert.strictEqual(
        applyFix('python', nested, ID, 'get-job-by-id'),
        'def f(scheduler, job_id, flag):\n    return (scheduler.get_job(job_id) is not None) == flag\n',
      );
    });

    it('fix: not offered where get_job / remove_job would not do the same', () => {
      const cases = [
        // APScheduler looks jobs up by id only
        'def f(s, name):\n    return next((j for j in s.scheduler.get_jobs() if j.name == name), None)\n',
        'def f(scheduler, name):\n    for job in scheduler.get_jobs():\n        if job.name == name:\n            job.remove()\n',
        // next() without a default raises when nothing matches; get_job returns None
        'def f(scheduler, job_id):\n    return next(j for j in scheduler.get_jobs() if j.id == job_id)\n',
        // the loop does more than remove the job
        'def f(scheduler, job_id):\n    for job in scheduler.get_jobs():\n        if job.id == job_id:\n            log.info("removing %s", job.id)\n            job.remove()\n',
        // a list of matches, not one job
        'def f(scheduler, job_id):\n    return [j for j in scheduler.get_jobs() if j.id == job_id]\n',
        // one jobstore only
        'def f(scheduler, job_id):\n    for job in scheduler.get_jobs(jobstore="redis"):\n        if job.id == job_id:\n            job.remove()\n',
        // RQ: a queue, not an APScheduler scheduler
        'def f(queue, job_id):\n    for job in queue.get_jobs():\n        if job.id == job_id:\n            job.delete()\n',
        // the value has side effects: evaluated once per job before, twice after
        'def f(scheduler):\n    for job in scheduler.get_jobs():\n        if job.id == next_id():\n            job.remove()\n',
      ];
      for (const src of cases) assert.deepStrictEqual(offeredFixes('python', src, ID), [], src);
    });
  });

  describe('go', () => {
    it('flags ranges over cron entries, gocron jobs and asynq task lists that search for one', () => {
      const src = code`
        package main

        func (s *Service) cancel(c *cron.Cron, id cron.EntryID) {
            for _, e := range c.Entries() {
                if e.ID == id {
                    c.Remove(e.ID)
                }
            }
        }

        func (s *Service) cancelUser(uid int64) {
            for _, e := range s.cron.Entries() {
                if j, ok := e.Job.(*ReminderJob); ok && j.UserID == uid {
                    s.cron.Remove(e.ID)
                }
            }
        }

        func (c *Controller) register(cluster *Cluster) {
            for _, entry := range c.cron.Entries() {
                j, ok := entry.Job.(job)
                if ok && j.Name == cluster.Name {
                    return
                }
            }
        }

        func untag(s gocron.Scheduler, tag string) {
            for _, j := range s.Jobs() {
                if slices.Contains(j.Tags(), tag) {
                    _ = s.RemoveJob(j.ID())
                }
            }
            for _, j := range scheduler.Jobs() {
                for _, t := range j.Tags() {
                    if t == tag {
                        _ = scheduler.RemoveJob(j.ID())
                    }
                }
            }
        }

        func findTask(insp *asynq.Inspector, taskID string) (*asynq.TaskInfo, error) {
            tasks, err := insp.ListScheduledTasks("default", asynq.PageSize(1000))
            if err != nil {
                return nil, err
            }
            for _, t := range tasks {
                if t.ID != taskID {
                    continue
                }
                return t, nil
            }
            return nil, nil
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), [
        'c.Entries()',
        's.cron.Entries()',
        'c.cron.Entries()',
        's.Jobs()',
        'scheduler.Jobs()',
        'insp.ListScheduledTasks("default", asynq.PageSize(1000))',
      ]);
    });

    it('is an error in a handler, and names the by-id call', () => {
      const src = code`
        package main

        func (a *App) deleteReminder(w http.ResponseWriter, r *http.Request) {
            id := r.PathValue("id")
            for _, e := range a.cron.Entries() {
                if strconv.Itoa(int(e.ID)) == id {
                    a.cron.Remove(e.ID)
                }
            }
        }
      `;
      const [f] = findingsOf('go', src, ID);
      assert.strictEqual(f.severity, 'error');
      assert.match(f.message, /^`a\.cron\.Entries\(\)` loads every cron entry to find one by `e\.ID`/);
      assert.match(f.message, /here it runs on every request\. Keep the `cron\.EntryID`/);
    });

    it('leaves removal by id or tag, listings, counts and unrelated Jobs() alone', () => {
      const src = code`
        package main

        func fine(c *cron.Cron, s gocron.Scheduler, repo *Repo, entryID cron.EntryID, tag string, id int64, deadline time.Time) []time.Time {
            c.Remove(entryID)
            _ = c.Entry(entryID)
            s.RemoveByTags(tag)
            var next []time.Time
            for _, e := range c.Entries() {
                next = append(next, e.Next)
            }
            n := len(c.Entries())
            for _, e := range c.Entries() {
                if e.ID == 1 {
                    c.Remove(e.ID)
                }
            }
            for i := range c.Entries() {
                if i == 3 {
                    break
                }
            }
            for _, j := range repo.Jobs() {
                if j.ID == id {
                    return nil
                }
            }
            for _, e := range c.Entries() {
                if e.Next.Before(time.Now()) {
                    c.Remove(e.ID)
                }
            }
            for _, e := range c.Entries() {
                next := e.Next
                if next == deadline {
                    c.Remove(e.ID)
                }
            }
            _ = n
            return next
        }
      `;
      assert.deepStrictEqual(hits('go', src, ID), []);
    });

    it('fix: removes the robfig/cron entry by id', () => {
      const src = code`
        package main

        func cancel(c *cron.Cron, id cron.EntryID) {
        	log.Print("cancel")
        	for _, e := range c.Entries() {
        		if e.ID == id {
        			c.Remove(e.ID)
        			break
        		}
        	}
        }
      `;
      assert.deepStrictEqual(offeredFixes('go', src, ID), ['cron-remove-by-id']);
      assert.strictEqual(
        applyFix('go', src, ID, 'cron-remove-by-id'),
        'package main\n\nfunc cancel(c *cron.Cron, id cron.EntryID) {\n\tlog.Print("cancel")\n\tc.Remove(id)\n}\n',
      );
    });

    it('fix: not offered for gocron, for a test on the job, or when the loop does more', () => {
      const cases = [
        'package main\nfunc f(s gocron.Scheduler, id uuid.UUID) {\n\tfor _, j := range s.Jobs() {\n\t\tif j.ID() == id {\n\t\t\t_ = s.RemoveJob(j.ID())\n\t\t}\n\t}\n}\n',
        'package main\nfunc f(c *cron.Cron, uid int64) {\n\tfor _, e := range c.Entries() {\n\t\tif j, ok := e.Job.(*R); ok && j.UserID == uid {\n\t\t\tc.Remove(e.ID)\n\t\t}\n\t}\n}\n',
        'package main\nfunc f(c *cron.Cron, id cron.EntryID) {\n\tfor _, e := range c.Entries() {\n\t\tif e.ID == id {\n\t\t\tlog.Print(e.Next)\n\t\t\tc.Remove(e.ID)\n\t\t}\n\t}\n}\n',
        'package main\nfunc f(c *cron.Cron, id cron.EntryID) {\n\tentries := c.Entries()\n\tfor _, e := range entries {\n\t\tif e.ID == id {\n\t\t\tc.Remove(e.ID)\n\t\t}\n\t}\n}\n',
      ];
      for (const src of cases) assert.deepStrictEqual(offeredFixes('go', src, ID), [], src);
    });
  });

  for (const lang of ['typescript', 'javascript'] as const) {
    describe(lang, () => {
      it('flags BullMQ job lists searched with find, filter, forEach or a loop', () => {
        const src = code`
          async function lookups(queue, id, userId) {
            const a = (await queue.getJobs(['delayed'])).find((j) => j.id === id);
            const jobs = await queue.getJobs(['delayed', 'waiting']);
            const mine = jobs.filter((j) => j.data.userId === userId);
            for (const job of await emailQueue.getDelayed()) {
              if (job.data.userId !== userId) continue;
              await job.remove();
            }
            const all = await queue.getWaiting();
            all.forEach(function (job) {
              if (String(job.id) === id) job.remove();
            });
            const rep = (await queue.getRepeatableJobs()).find(({ id: jobId }) => jobId === id);
            const rep2 = (await this.queue.getRepeatableJobs()).find((e) => parseInt(e.id) === id);
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), [
          "queue.getJobs(['delayed'])",
          "queue.getJobs(['delayed', 'waiting'])",
          'emailQueue.getDelayed()',
          'queue.getWaiting()',
          'queue.getRepeatableJobs()',
          'this.queue.getRepeatableJobs()',
        ]);
      });

      it('flags Agenda lists filtered in JavaScript and node-schedule / node-cron scans', () => {
        const src = code`
          async function cancel(agenda, userId, name, prefix) {
            const jobs = await agenda.jobs({ name: 'send-reminder' });
            await Promise.all(jobs.filter((j) => j.attrs.data.userId === userId).map((j) => j.remove()));
            const x = Object.values(schedule.scheduledJobs).find((j) => j.name === name);
            for (const key in schedule.scheduledJobs) {
              if (key === name) schedule.cancelJob(key);
            }
            const k = Object.keys(schedule.scheduledJobs).find((key) => key.startsWith(prefix));
            const t = [...cron.getTasks().values()].find((task) => task.name === name);
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), ["agenda.jobs({ name: 'send-reminder' })", 'schedule.scheduledJobs', 'schedule.scheduledJobs', 'schedule.scheduledJobs', 'cron.getTasks()']);
        assert.match(findingsOf(lang, src, ID)[0].message, /every Agenda job to find one by `j\.attrs\.data\.userId`.*agenda\.jobs\(\{ name, 'data\.userId': userId \}\)/);
        assert.match(findingsOf(lang, src, ID)[1].message, /schedule\.scheduledJobs\[name\]/);
      });

      it('is an error in a route handler and in a loop over users', () => {
        const src = code`
          router.delete('/reminders/:id', async (req, res) => {
            const job = (await reminderQueue.getJobs(['delayed'])).find((j) => j.id === req.params.id);
            res.sendStatus(job ? 204 : 404);
          });
          async function sweep(users) {
            for (const user of users) {
              const jobs = await queue.getJobs(['delayed']);
              const stale = jobs.filter((j) => j.data.userId === user.id);
            }
          }
          async function once(id) {
            return (await queue.getJobs()).find((j) => j.id === id);
          }
        `;
        assert.deepStrictEqual(severities(lang, src), ['error', 'error', 'warning']);
        assert.match(findingsOf(lang, src, ID)[0].message, /on every request\. Fetch it by id: `await queue\.getJob\(id\)`\.$/);
      });

      it('leaves lookups by id, queries that filter in the database, listings and counts alone', () => {
        const src = code`
          async function fine(queue, agenda, id, userId, company) {
            const a = await queue.getJob(id);
            const b = await agenda.jobs({ name: 'send-reminder', 'data.userId': userId });
            const b2 = (await agenda.jobs({ _id: id })).find((j) => j.attrs.name === 'x');
            const c = (await queue.getJobs(['failed'])).map((j) => ({ id: j.id, reason: j.failedReason }));
            const d = (await queue.getJobs()).length;
            const e = await queue.getJobCounts('delayed', 'waiting');
            const f = (await queue.getJobs(['delayed'])).find((j) => j.name === 'daily-digest');
            const g = (await company.jobs()).find((j) => j.id === id);
            schedule.cancelJob(name);
            const h = schedule.scheduledJobs[name];
            const i = Object.values(schedule.scheduledJobs).map((j) => j.name);
            const k = (await queue.getJobs()).filter((j) => j.timestamp < cutoff);
            const l = cron.getTasks().get(name);
            const jobs = await queue.getJobs();
            const m = others.find((j) => j.id === id);
            const n = (await sessionStore.getActive()).find((s) => s.id === id);
          }
        `;
        assert.deepStrictEqual(hits(lang, src, ID), []);
      });

      it('counts a listing on a receiver of another name only in a file that imports the library', () => {
        const body = code`
          export async function find(reminders, mail, board, id) {
            const a = (await reminders.getJobs(['delayed'])).find((j) => j.id === id);
            const b = (await mail.getActive()).find((j) => j.id === id);
            const c = (await board.jobs()).find((j) => j.id === id);
          }
        `;
        assert.deepStrictEqual(hits(lang, body, ID), []);
        assert.deepStrictEqual(hits(lang, `import { Queue } from 'bullmq';\n${body}`, ID), ["reminders.getJobs(['delayed'])", 'mail.getActive()']);
        assert.deepStrictEqual(hits(lang, `const Agenda = require('agenda');\n${body}`, ID), ['board.jobs()']);
      });

      it('fix: fetches the job by id (unsafe: getJob also finds jobs in other states)', () => {
        const src = code`
          export async function cancel(queue, id) {
            const job = (await queue.getJobs(['delayed'])).find((j) => j.id === id);
            await job?.remove();
          }
        `;
        assert.deepStrictEqual(offeredFixes(lang, src, ID), ['queue-get-job']);
        assert.strictEqual(applyFix(lang, src, ID, 'queue-get-job'), src.replace("(await queue.getJobs(['delayed'])).find((j) => j.id === id)", 'await queue.getJob(id)'));
        const declared = code`
          export async function cancel(queue, id) {
            const jobs = await queue.getJobs(['delayed']);
            const job = jobs.find((j) => id === j.id);
            return (jobs.find === undefined) || job;
          }
        `;
        assert.deepStrictEqual(offeredFixes(lang, declared, ID), [], 'jobs is used twice');
        const single = code`
          export async function cancel(queue, id) {
            const jobs = await queue.getJobs(['delayed']);
            log('looking');
            const job = jobs.find((j) => id === j.id);
            return job;
          }
        `;
        assert.strictEqual(
          applyFix(lang, single, ID, 'queue-get-job'),
          code`
            export async function cancel(queue, id) {
              log('looking');
              const job = await queue.getJob(id);
              return job;
            }
          `,
        );
        const member = 'async function f(q, id) {\n  return (await q.getJobs()).find((j) => j.id === id).data;\n}\n';
        assert.strictEqual(applyFix(lang, member, ID, 'queue-get-job'), 'async function f(q, id) {\n  return (await q.getJob(id)).data;\n}\n');
      });

      it('fix: not offered for other tests, filters, repeatable jobs, Agenda, or a find in another function', () => {
        const cases = [
          "async function f(q, userId) {\n  return (await q.getJobs()).find((j) => j.data.userId === userId);\n}\n",
          "async function f(q, id) {\n  return (await q.getJobs()).filter((j) => j.id === id);\n}\n",
          "async function f(q, id) {\n  return (await q.getRepeatableJobs()).find((j) => j.id === id);\n}\n",
          "async function f(agenda, id) {\n  return (await agenda.jobs()).find((j) => j.id === id);\n}\n",
          "async function f(q, ids) {\n  const jobs = await q.getJobs();\n  return ids.map((id) => jobs.find((j) => j.id === id));\n}\n",
        ];
        for (const src of cases) assert.deepStrictEqual(offeredFixes(lang, src, ID), [], src);
      });
    });
  }

  describe('evidence: background jobs on a job queue', () => {
    it('python: Celery apps and tasks, RQ queues, arq pools, Dramatiq actors', () => {
      const src = code`
        from celery import Celery, shared_task

        app = Celery("billing", broker=BROKER_URL)

        @app.task(bind=True, max_retries=3)
        def charge(self, invoice_id): ...

        @shared_task
        def send(msg): ...

        @celery.task
        def rollup(): ...

        q = Queue("emails", connection=redis_conn)

        async def startup():
            pool = await create_pool(RedisSettings(host="redis"))
            app.state.arq = await arq.create_pool(RedisSettings.from_dsn(REDIS_URL))

        @dramatiq.actor(max_retries=5)
        def export(user_id): ...
      `;
      assert.deepStrictEqual(evidence('python', src), [
        ['background jobs run on a job queue (Celery)', 'Celery("billing", broker=BROKER_URL)'],
        ['background jobs run on a job queue (Celery)', '@app.task(bind=True, max_retries=3)'],
        ['background jobs run on a job queue (Celery)', '@shared_task'],
        ['background jobs run on a job queue (Celery)', '@celery.task'],
        ['background jobs run on a job queue (RQ)', 'Queue("emails", connection=redis_conn)'],
        ['background jobs run on a job queue (arq)', 'create_pool(RedisSettings(host="redis"))'],
        ['background jobs run on a job queue (arq)', 'arq.create_pool(RedisSettings.from_dsn(REDIS_URL))'],
        ['background jobs run on a job queue (Dramatiq)', '@dramatiq.actor(max_retries=5)'],
      ]);
    });

    it('python: no evidence from in-process queues and schedulers', () => {
      const src = code`
        import queue, asyncio, multiprocessing
        from rocketry import Rocketry

        class Queue:
            def __init__(self, maxsize=0): ...

        a = queue.Queue()
        b = Queue(maxsize=100)
        c = asyncio.Queue()
        d = multiprocessing.Queue()
        app = Rocketry()

        @app.task("daily")
        def rollup(): ...

        @scheduler.task("interval", id="sweep", seconds=30)
        def sweep(): ...

        @app.get("/tasks")
        def tasks(): ...

        pool = create_pool(dsn)
      `;
      assert.deepStrictEqual(evidence('python', src), []);
    });

    it('go: asynq clients and servers, machinery and River', () => {
      const src = code`
        package main

        func main() {
            client := asynq.NewClient(asynq.RedisClientOpt{Addr: addr})
            srv := asynq.NewServer(asynq.RedisClientOpt{Addr: addr}, asynq.Config{Concurrency: 10})
            server, _ := machinery.NewServer(cnf)
            riverClient, _ := river.NewClient(riverpgxv5.New(pool), &river.Config{})
            q := list.New()
            c := http.NewClient()
            w := NewServer()
        }
      `;
      assert.deepStrictEqual(evidence('go', src), [
        ['background jobs run on a job queue (asynq)', 'asynq.NewClient(asynq.RedisClientOpt{Addr: addr})'],
        ['background jobs run on a job queue (asynq)', 'asynq.NewServer(asynq.RedisClientOpt{Addr: addr}, asynq.Config{Concurrency: 10})'],
        ['background jobs run on a job queue (machinery)', 'machinery.NewServer(cnf)'],
        ['background jobs run on a job queue (River)', 'river.NewClient(riverpgxv5.New(pool), &river.Config{})'],
      ]);
    });

    for (const lang of ['typescript', 'javascript'] as const) {
      it(`${lang}: the import of BullMQ, Bull or another job queue, and no look-alike Queue`, () => {
        const src = code`
          import { Queue, Worker } from 'bullmq';
          import Bull from 'bull';
          const PgBoss = require('pg-boss');
          const { Queue: BQ } = require('bullmq');
          import { Queue as LocalQueue } from './queue';
          import PQueue from 'p-queue';
          import { Worker as Thread } from 'worker_threads';
          class Queue2 {}
          const a = new LocalQueue('emails');
          const b = new PQueue({ concurrency: 2 });
          const c = new Thread('./worker.js');
        `;
        assert.deepStrictEqual(evidence(lang, src), [
          ['background jobs run on a job queue (BullMQ)', "import { Queue, Worker } from 'bullmq';"],
          ['background jobs run on a job queue (Bull)', "import Bull from 'bull';"],
          ['background jobs run on a job queue', "require('pg-boss')"],
          ['background jobs run on a job queue (BullMQ)', "require('bullmq')"],
        ]);
        assert.deepStrictEqual(evidence(lang, "class Queue {}\nconst q = new Queue('mail', { connection });\nconst w = new Worker('mail', async () => {});\n"), []);
      });
    }

    it('no evidence when the rule is off', () => {
      const src = 'app = Celery("billing")\n';
      const off = analyzeText(src, 'python', config({ rules: { [ID]: 'off' } }));
      assert.deepStrictEqual(off.evidence, []);
    });
  });
});
