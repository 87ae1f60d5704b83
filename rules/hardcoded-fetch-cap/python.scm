; Motor / Beanie: db.users.find(q).to_list(1000), cursor.to_list(length=1000): what materialises a
; cursor (rule.ts keeps those the models say take a cap). The chain's own `.limit(M)` /
; `find(limit=M)` / `.skip(x)` are read by rule.ts, from the models.
((call
   function: (attribute attribute: (identifier) @method)
   arguments: (argument_list)) @match
 (#model? @method "effect:materialize"))

; A call that sends, schedules or writes, inside a loop: recorded per iterated variable, so that a
; cap on what the loop iterates is raised to an error (rule.ts classifies the name precisely).
((call
   function: [(identifier) @callee (attribute attribute: (identifier) @callee)]) @call
 (#match? @callee "^(send|notify|publish|post|emit|deliver|dispatch|email|mail|sms|broadcast|enqueue|queue|schedule|submit|defer|delay|apply_async|add|create|ensure_future|insert|update|upsert|save|write|delete|remove|put|replace|bulk|lpush|rpush|xadd|persist|store|find_one_and)")
 (#is? inside-loop call)
 (#set! fact item-action))

; A row count given as a literal keyword to a data call: `repo.multi_query(q, limit=9999)`,
; `PaginationParams(limit=1000000, page=1)` (rule.ts keeps caps that stand in for "all").
((call
   arguments: (argument_list (keyword_argument name: (identifier) @kw value: (integer)) @match))
 (#any-of? @kw "limit" "page_size" "per_page" "max_results")
 (#set! form "keyword-cap"))
