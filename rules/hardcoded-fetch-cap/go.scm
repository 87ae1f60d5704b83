; database/sql, sqlx, pgx, gorm Raw: db.Query("SELECT ... LIMIT 1000"), db.Select(&xs, `... LIMIT 1000`)
((call_expression
   function: (selector_expression field: (field_identifier) @method)
   arguments: (argument_list [(interpreted_string_literal) (raw_string_literal)] @match))
 (#model? @method "effect:db-query effect:db-read-many effect:db-statement")
 (#match? @match "[Ll][Ii][Mm][Ii][Tt][ \t\r\n]+[0-9]")
 (#set! kind "sql"))

; gorm: db.Limit(1000).Find(&users); mongo-go-driver: options.Find().SetLimit(1000)
((call_expression
   function: (selector_expression field: (field_identifier) @method)
   arguments: (argument_list . (_) .)) @match
 (#model? @method "effect:limit")
 (#set! kind "limit"))

; A call that sends, schedules or writes, inside a loop (see python.scm and typescript.scm).
((call_expression
   function: [(identifier) @callee (selector_expression field: (field_identifier) @callee)]) @call
 (#match? @callee "(send|Send|notify|Notify|publish|Publish|post|Post|emit|Emit|deliver|Deliver|dispatch|Dispatch|email|Email|mail|Mail|broadcast|Broadcast|enqueue|Enqueue|schedule|Schedule|submit|Submit|create|Create|insert|Insert|update|Update|upsert|Upsert|save|Save|write|Write|delete|Delete|exec|Exec|persist|Persist|replace|Replace|bulk|Bulk|LPush|RPush|XAdd)")
 (#is? inside-loop call)
 (#set! fact item-action))
