; ---------------------------------------------------------------------------------------------
; Findings: a database write call (Motor/PyMongo, SQLAlchemy, Django, Tortoise/Peewee/Beanie, raw
; SQL, supabase-py). rule.ts keeps the writes and the middleware around them: @app.middleware("http") and
; BaseHTTPMiddleware.dispatch (a `call_next` parameter), Flask/Quart before_request and
; after_request hooks, pure ASGI and Django middleware.
((call
   function: (attribute object: (_) @recv attribute: (identifier) @method)) @match
 (#any-of? @method
   "insert_one" "insert_many" "update_one" "update_many" "replace_one" "find_one_and_update" "find_one_and_replace" "bulk_write"
   "add" "add_all" "merge" "execute" "executemany"
   "create" "bulk_create" "update_or_create" "update" "upsert" "save" "insert"))

; ---------------------------------------------------------------------------------------------
; Facts: a function of this file registered to run on every request, keyed by its name.
; app.before_request(track_visit) / bp.after_app_request(log_response)
((call
   function: (attribute attribute: (identifier) @hook)
   arguments: (argument_list . (identifier) @key .))
 (#any-of? @hook "before_request" "after_request" "before_app_request" "after_app_request" "teardown_request" "teardown_app_request")
 (#set! fact "per-request-db-write.registered"))

; app.middleware("http")(audit)
((call
   function: (call
     function: (attribute attribute: (identifier) @hook)
     arguments: (argument_list . (string) .))
   arguments: (argument_list . (identifier) @key .))
 (#eq? @hook "middleware")
 (#set! fact "per-request-db-write.registered"))
