; A query call inside a loop: the names the models give database reads and counts (database/sql,
; sqlx, pgx, gorm, mongo-go-driver, ent). check() keeps the calls that resolve to a read (or, where
; nothing resolves, have a read's shape) and depend on the loop variable.
((call_expression
   function: (selector_expression field: (field_identifier) @method)
   arguments: (argument_list)) @match
 (#model? @method "effect:db-read-one effect:db-read-many effect:db-count effect:db-query")
 (#is? inside-loop match))

; A write of one row inside a loop, where the library has a bulk form (the models' `bulkTwin`:
; gorm `Create` → `CreateInBatches`, mongo `InsertOne` → `InsertMany`).
((call_expression
   function: (selector_expression field: (field_identifier) @method)
   arguments: (argument_list)) @match
 (#model? @method "property:bulkTwin")
 (#is? inside-loop match)
 (#set! form "write"))
