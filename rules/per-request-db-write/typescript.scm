; ---------------------------------------------------------------------------------------------
; Findings: a call of a method the models say writes to a database (or runs a statement that may);
; rule.ts resolves the callee (the program model, else the models' conventions), keeps the writes,
; and the middleware and hooks around them (the models' middleware role markers: app.use callbacks,
; Fastify request hooks, Nest middleware and interceptors, (req, res, next) functions).
((call_expression
   function: (member_expression property: (property_identifier) @method)) @match
 (#model? @method "effect:db-write effect:db-write-many effect:db-query"))

; sql`INSERT INTO ...` (postgres.js, @vercel/postgres)
((call_expression
   function: (identifier) @method
   arguments: (template_string)) @match
 (#model? @method "effect:db-statement effect:db-query"))

; Findings: a call of the project's own helper whose name says it writes (`updateLastActiveOn`,
; `recordVisit`): rule.ts follows it through the program to a database write.
((call_expression
   function: (member_expression property: (property_identifier) @method)) @match
 (#match? @method "(set|Set|update|Update|touch|Touch|record|Record|mark|Mark|save|Save|insert|Insert|create|Create|upsert|Upsert|track|Track|increment|Increment|bump|Bump|persist|Persist)")
 (#set! kind "helper"))

((call_expression
   function: (identifier) @method
   arguments: (arguments)) @match
 (#match? @method "(set|Set|update|Update|touch|Touch|record|Record|mark|Mark|save|Save|insert|Insert|create|Create|upsert|Upsert|track|Track|increment|Increment|bump|Bump|persist|Persist)")
 (#set! kind "helper"))

; ---------------------------------------------------------------------------------------------
; Facts: a function of this file registered as middleware, keyed by its name.
; app.use(audit) / app.use('/api', audit) / app.use(audit(db)) / fastify.addHook('onResponse', recordVisit)
((call_expression
   function: (member_expression property: (property_identifier) @use)
   arguments: (arguments [(identifier) @key (call_expression function: (identifier) @key)])) @reg
 (#middleware-registration? @use)
 (#set! fact "per-request-db-write.registered"))
