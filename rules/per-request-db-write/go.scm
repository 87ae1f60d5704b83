; ---------------------------------------------------------------------------------------------
; Findings: a database write call (database/sql, sqlx, pgx Exec; the MongoDB driver; gorm; ent
; builders; sqlc-style Insert*/Create*/Update* queries). rule.ts keeps the writes and the middleware
; around them: func(next http.Handler) http.Handler wrappers, echo and fiber wrappers, gin and
; fiber handlers that call c.Next() or are registered with Use, ServeHTTP wrappers.
((call_expression
   function: (selector_expression operand: (_) @recv field: (field_identifier) @method)) @match
 (#match? @method "^(Exec|NamedExec|MustExec|Insert|Update|Replace|FindOneAnd|BulkWrite|Create|Save|Upsert)"))

; ---------------------------------------------------------------------------------------------
; Facts: a function of this file registered as middleware, keyed by its name.
; r.Use(AuditLog) / r.Use(AuditLog(db)) / e.Use(audit)
((call_expression
   function: (selector_expression field: (field_identifier) @use)
   arguments: (argument_list [(identifier) @key (call_expression function: (identifier) @key)]))
 (#any-of? @use "Use" "Pre")
 (#set! fact "per-request-db-write.registered"))
