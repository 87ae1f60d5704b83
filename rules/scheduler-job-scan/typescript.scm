; ---------------------------------------------------------------------------------------------
; Findings. Each pattern finds where every job is listed; rule.ts follows the list (through
; `await`, `Object.values(...)`, a `const`) to a `.find`/`.filter`/loop that searches it for one job.

; BullMQ / Bull: await queue.getJobs([...]), queue.getRepeatableJobs(), queue.getDelayed()
; Agenda: await agenda.jobs({}); node-cron: cron.getTasks()
((call_expression
   function: (member_expression object: (_) @receiver property: (property_identifier) @method)) @match
 (#model? @method "effect:job-list"))

; node-schedule: schedule.scheduledJobs (an object keyed by job name)
((member_expression object: (identifier) @receiver property: (property_identifier) @method) @match
 (#model? @method "effect:job-list")
 (#set! kind "value"))

; Facts: the file imports a job library (a listing call on a receiver not named like a queue,
; Agenda instance or cron counts only then: `jobBoard.getJobs()` may be anything).
((import_statement source: (string (string_fragment) @key))
 (#effect-packages? @key "job-list")
 (#set! fact "scheduler-job-scan.import"))
((call_expression
   function: (identifier) @require
   arguments: (arguments . (string (string_fragment) @key) .))
 (#effect-packages? @key "job-list")
 (#eq? @require "require")
 (#set! fact "scheduler-job-scan.import"))

; ---------------------------------------------------------------------------------------------
; Evidence for the readiness model: background jobs handed to a job queue. The import is the
; evidence (a `new Queue(...)` alone could be any class named Queue).

; import { Queue, Worker } from 'bullmq'; import Queue from 'bull'; import { Processor } from '@nestjs/bullmq';
; const { Queue } = require('bullmq'), const Queue = require('bull')

((import_statement source: (string (string_fragment) @module)) @evidence
 (#packages? @module "BullMQ")
 (#set! evidence "background jobs run on a job queue (BullMQ)"))
((call_expression
   function: (identifier) @require
   arguments: (arguments . (string (string_fragment) @module) .)) @evidence
 (#packages? @module "BullMQ")
 (#eq? @require "require")
 (#set! evidence "background jobs run on a job queue (BullMQ)"))

((import_statement source: (string (string_fragment) @module)) @evidence
 (#packages? @module "Bull")
 (#set! evidence "background jobs run on a job queue (Bull)"))
((call_expression
   function: (identifier) @require
   arguments: (arguments . (string (string_fragment) @module) .)) @evidence
 (#packages? @module "Bull")
 (#eq? @require "require")
 (#set! evidence "background jobs run on a job queue (Bull)"))

((import_statement source: (string (string_fragment) @module)) @evidence
 (#packages? @module "bee-queue pg-boss graphile-worker")
 (#set! evidence "background jobs run on a job queue"))
((call_expression
   function: (identifier) @require
   arguments: (arguments . (string (string_fragment) @module) .)) @evidence
 (#packages? @module "bee-queue pg-boss graphile-worker")
 (#eq? @require "require")
 (#set! evidence "background jobs run on a job queue"))
