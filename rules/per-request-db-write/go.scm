; ---------------------------------------------------------------------------------------------
; Findings: a call of a method the models say writes to a database (or runs a statement that may);
; rule.ts resolves the callee (the program model, else the models' conventions), keeps the writes,
; and the middleware around them (the models' middleware role markers).
((call_expression
   function: (selector_expression field: (field_identifier) @method)) @match
 (#model? @method "effect:db-write effect:db-write-many effect:db-query"))

; Findings: a call of the project's own helper (or a generated query) whose name says it writes
; (`SetLastLogin`, `InsertHit`): rule.ts follows it through the program to a database write.
((call_expression
   function: (selector_expression field: (field_identifier) @method)) @match
 (#match? @method "(Set|Update|Touch|Record|Mark|Save|Insert|Create|Upsert|Track|Increment|Bump|Persist)")
 (#set! kind "helper"))

((call_expression
   function: (identifier) @method) @match
 (#match? @method "(set|Set|update|Update|touch|Touch|record|Record|mark|Mark|save|Save|insert|Insert|create|Create|upsert|Upsert|track|Track|increment|Increment|bump|Bump|persist|Persist)")
 (#set! kind "helper"))

; ---------------------------------------------------------------------------------------------
; Facts: a function of this file registered as middleware, keyed by its name.
; r.Use(AuditLog) / r.Use(AuditLog(db)) / e.Use(audit)
((call_expression
   function: (selector_expression field: (field_identifier) @use)
   arguments: (argument_list [(identifier) @key (call_expression function: (identifier) @key)])) @reg
 (#middleware-registration? @use)
 (#set! fact "per-request-db-write.registered"))
