; ---------------------------------------------------------------------------------------------
; Findings: a call of a method the models say writes to a database (or runs a statement that may),
; on any receiver; rule.ts resolves the callee (the program model, else the models' conventions),
; keeps the writes, and the middleware and per-request hooks around them (the models' middleware
; role markers).
((call
   function: (attribute attribute: (identifier) @method)) @match
 (#model? @method "effect:db-write effect:db-write-many effect:db-query"))

; Findings: a call of the project's own helper whose name says it writes (`set_last_login`,
; `record_visit`): rule.ts follows it (through the program) to a database write.
((call
   function: (attribute attribute: (identifier) @method)) @match
 (#match? @method "(set|Set|update|Update|touch|Touch|record|Record|mark|Mark|save|Save|insert|Insert|create|Create|upsert|Upsert|track|Track|increment|Increment|bump|Bump|persist|Persist)")
 (#set! kind "helper"))

((call
   function: (identifier) @method) @match
 (#match? @method "(set|Set|update|Update|touch|Touch|record|Record|mark|Mark|save|Save|insert|Insert|create|Create|upsert|Upsert|track|Track|increment|Increment|bump|Bump|persist|Persist)")
 (#set! kind "helper"))

; ---------------------------------------------------------------------------------------------
; Facts: a function of this file registered to run on every request, keyed by its name, with the
; registration calls of the models' middleware markers.
; app.before_request(track_visit) / bp.after_app_request(log_response)
((call
   function: (attribute attribute: (identifier) @use)
   arguments: (argument_list . (identifier) @key .)) @reg
 (#middleware-registration? @use)
 (#set! fact "per-request-db-write.registered"))

; app.middleware("http")(audit): a middleware decorator applied as a call.
((call
   function: (call
     function: (attribute attribute: (identifier) @use)
     arguments: (argument_list . (string) .)) @reg
   arguments: (argument_list . (identifier) @key .))
 (#middleware-decorator? @use)
 (#set! fact "per-request-db-write.registered"))
