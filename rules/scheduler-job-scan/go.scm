; ---------------------------------------------------------------------------------------------
; Findings. Each pattern finds where every job is listed; rule.ts decides whether the list is then
; searched for one entry (a test of e.ID / j.Name() / j.Tags() / t.ID against a value).

; for _, e := range c.Entries() { if e.ID == id { ... } }   (robfig/cron)
; for _, j := range s.Jobs() { if j.Name() == name { ... } } (gocron)
; for _, t := range inspector.ListScheduledTasks("default") { if t.ID == id { ... } } (asynq)
((for_statement
   (range_clause
     left: (expression_list)
     right: (call_expression function: (selector_expression field: (field_identifier) @method)) @match)
   body: (block)) @scan
 (#model? @method "effect:job-list"))

; entries := c.Entries(), tasks, err := inspector.ListScheduledTasks(q), then a range over them in the same block
([(short_var_declaration
    left: (expression_list . (identifier))
    right: (expression_list . (call_expression function: (selector_expression field: (field_identifier) @method)) @match))
  (assignment_statement
    left: (expression_list . (identifier))
    right: (expression_list . (call_expression function: (selector_expression field: (field_identifier) @method)) @match))] @scan
 (#model? @method "effect:job-list"))

; ---------------------------------------------------------------------------------------------
; Evidence for the readiness model: background jobs handed to a job queue.

; asynq.NewClient(asynq.RedisClientOpt{...}), asynq.NewServer(...)
((call_expression
   function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)) @evidence
 (#packages? @pkg "asynq")
 (#model? @fn "symbol:github.com/hibiken/asynq.NewClient symbol:github.com/hibiken/asynq.NewServer")
 (#set! evidence "background jobs run on a job queue (asynq)"))

; machinery.NewServer(cnf)
((call_expression
   function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)) @evidence
 (#packages? @pkg "machinery")
 (#model? @fn "symbol:github.com/RichardKnop/machinery/v2.NewServer")
 (#set! evidence "background jobs run on a job queue (machinery)"))

; river.NewClient(riverpgxv5.New(pool), &river.Config{...})
((call_expression
   function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)) @evidence
 (#packages? @pkg "river")
 (#model? @fn "symbol:github.com/riverqueue/river.NewClient")
 (#set! evidence "background jobs run on a job queue (River)"))
