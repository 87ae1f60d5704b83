; ---------------------------------------------------------------------------------------------
; Findings. Each pattern finds where every job is loaded; rule.ts decides whether the jobs are
; then searched for one (a test of job.id / job.name / job.args against a value).

; for job in scheduler.get_jobs(): if job.id == job_id: ...
((for_statement
   left: (identifier)
   right: [(call function: (attribute attribute: (identifier) @method)) @match
           (await (call function: (attribute attribute: (identifier) @method)) @match)]
   body: (block)) @scan
 (#model? @method "effect:job-list"))

; [j for j in scheduler.get_jobs() if j.id == x], next(j for j in ... if j.name == x), any(j.id == x for j in ...)
((for_in_clause
   left: (identifier)
   right: [(call function: (attribute attribute: (identifier) @method)) @match
           (await (call function: (attribute attribute: (identifier) @method)) @match)]) @scan
 (#model? @method "effect:job-list"))

; jobs = scheduler.get_jobs(), then a loop or a comprehension over `jobs` in the same block
((assignment
   left: (identifier)
   right: [(call function: (attribute attribute: (identifier) @method)) @match
           (await (call function: (attribute attribute: (identifier) @method)) @match)]) @scan
 (#model? @method "effect:job-list"))

; Facts: the file imports a library whose models list jobs (a `get_jobs()` on a receiver not named
; like a scheduler or queue counts only then; `jobs_repo.get_jobs()` may be anything).
((import_from_statement module_name: (dotted_name . (identifier) @key))
 (#effect-packages? @key "job-list")
 (#set! fact "scheduler-job-scan.import"))
((import_statement name: [(dotted_name . (identifier) @key) (aliased_import name: (dotted_name . (identifier) @key))])
 (#effect-packages? @key "job-list")
 (#set! fact "scheduler-job-scan.import"))

; ---------------------------------------------------------------------------------------------
; Evidence for the readiness model: background jobs handed to a job queue.

; app = Celery("proj", broker=...), celery.Celery(...)
((call
   function: [(identifier) @ctor (attribute object: (identifier) @module attribute: (identifier) @ctor)]) @evidence
 (#model? @ctor "symbol:celery.Celery")
 (#set! evidence "background jobs run on a job queue (Celery)"))

; @shared_task, @shared_task(bind=True), @celery.shared_task
((decorator
   [(identifier) @name
    (attribute attribute: (identifier) @name)
    (call function: [(identifier) @name (attribute attribute: (identifier) @name)])]) @evidence
 (#model? @name "symbol:celery.shared_task")
 (#set! evidence "background jobs run on a job queue (Celery)"))

; @app.task, @celery.task, @celery_app.task(bind=True, max_retries=3): Celery apps. A positional
; argument (@app.task("daily"), Rocketry; @scheduler.task("interval", ...), Flask-APScheduler) is an
; in-process scheduler: only a bare decorator or keyword arguments count.
((decorator
   [(attribute object: (identifier) @app attribute: (identifier) @name)
    (call function: (attribute object: (identifier) @app attribute: (identifier) @name) arguments: (argument_list "(" . ")"))
    (call function: (attribute object: (identifier) @app attribute: (identifier) @name) arguments: (argument_list . (keyword_argument)))]) @evidence
 (#model? @name "type:celery.Celery")
 (#convention? @app "celery.Celery")
 (#set! evidence "background jobs run on a job queue (Celery)"))

; RQ: Queue("emails", connection=redis), rq.Queue(connection=...) (the standard library's Queue takes no connection)
((call
   function: [(identifier) @ctor (attribute object: (identifier) @module attribute: (identifier) @ctor)]
   arguments: (argument_list (keyword_argument name: (identifier) @kw))) @evidence
 (#model? @ctor "symbol:rq.Queue")
 (#eq? @kw "connection")
 (#set! evidence "background jobs run on a job queue (RQ)"))

; arq: await create_pool(RedisSettings(...)), arq.create_pool(RedisSettings.from_dsn(url))
((call
   function: [(identifier) @fn (attribute object: (identifier) @module attribute: (identifier) @fn)]
   arguments: (argument_list . (call function: [(identifier) @settings (attribute object: (identifier) @settings)]))) @evidence
 (#model? @fn "symbol:arq.create_pool")
 (#model? @settings "symbol:arq.connections.RedisSettings")
 (#set! evidence "background jobs run on a job queue (arq)"))

; dramatiq: @dramatiq.actor, @dramatiq.actor(max_retries=3)
((decorator
   [(attribute object: (identifier) @module attribute: (identifier) @name)
    (call function: (attribute object: (identifier) @module attribute: (identifier) @name))]) @evidence
 (#packages? @module "dramatiq")
 (#model? @name "symbol:dramatiq.actor")
 (#set! evidence "background jobs run on a job queue (Dramatiq)"))
