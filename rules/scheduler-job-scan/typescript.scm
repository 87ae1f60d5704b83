; ---------------------------------------------------------------------------------------------
; Findings. Each pattern finds where every job is listed; rule.ts follows the list (through
; `await`, `Object.values(...)`, a `const`) to a `.find`/`.filter`/loop that searches it for one job.

; BullMQ / Bull: await queue.getJobs([...]), queue.getRepeatableJobs(), queue.getDelayed()
; Agenda: await agenda.jobs({}); node-cron: cron.getTasks()
((call_expression
   function: (member_expression object: (_) @receiver property: (property_identifier) @method)) @match
 (#any-of? @method "getJobs" "getRepeatableJobs" "getJobSchedulers" "getDelayed" "getWaiting" "getActive" "getFailed" "getCompleted" "getPrioritized" "getWaitingChildren" "jobs" "getTasks"))

; node-schedule: schedule.scheduledJobs (an object keyed by job name)
((member_expression object: (identifier) @receiver property: (property_identifier) @method) @match
 (#eq? @method "scheduledJobs"))

; Facts: the file imports a job library (a listing call on a receiver not named like a queue,
; Agenda instance or cron counts only then: `jobBoard.getJobs()` may be anything).
((import_statement source: (string (string_fragment) @key))
 (#any-of? @key "bullmq" "bull" "@nestjs/bullmq" "@nestjs/bull" "agenda" "@hokify/agenda" "node-cron")
 (#set! fact "scheduler-job-scan.import"))
((call_expression
   function: (identifier) @require
   arguments: (arguments . (string (string_fragment) @key) .))
 (#any-of? @key "bullmq" "bull" "@nestjs/bullmq" "@nestjs/bull" "agenda" "@hokify/agenda" "node-cron")
 (#eq? @require "require")
 (#set! fact "scheduler-job-scan.import"))

; ---------------------------------------------------------------------------------------------
; Evidence for the readiness model: background jobs handed to a job queue. The import is the
; evidence (a `new Queue(...)` alone could be any class named Queue).

; import { Queue, Worker } from 'bullmq'; import Queue from 'bull'; import { Processor } from '@nestjs/bullmq';
; const { Queue } = require('bullmq'), const Queue = require('bull')

((import_statement source: (string (string_fragment) @module)) @evidence
 (#any-of? @module "bullmq" "@nestjs/bullmq")
 (#set! evidence "background jobs run on a job queue (BullMQ)"))
((call_expression
   function: (identifier) @require
   arguments: (arguments . (string (string_fragment) @module) .)) @evidence
 (#any-of? @module "bullmq" "@nestjs/bullmq")
 (#eq? @require "require")
 (#set! evidence "background jobs run on a job queue (BullMQ)"))

((import_statement source: (string (string_fragment) @module)) @evidence
 (#any-of? @module "bull" "@nestjs/bull")
 (#set! evidence "background jobs run on a job queue (Bull)"))
((call_expression
   function: (identifier) @require
   arguments: (arguments . (string (string_fragment) @module) .)) @evidence
 (#any-of? @module "bull" "@nestjs/bull")
 (#eq? @require "require")
 (#set! evidence "background jobs run on a job queue (Bull)"))

((import_statement source: (string (string_fragment) @module)) @evidence
 (#any-of? @module "bee-queue" "pg-boss" "graphile-worker")
 (#set! evidence "background jobs run on a job queue"))
((call_expression
   function: (identifier) @require
   arguments: (arguments . (string (string_fragment) @module) .)) @evidence
 (#any-of? @module "bee-queue" "pg-boss" "graphile-worker")
 (#eq? @require "require")
 (#set! evidence "background jobs run on a job queue"))
