; A pool opener the models know: sql.Open, sqlx.Connect, gorm.Open, pgxpool.New ... rule.ts
; resolves it (a project's own `Open` is not database/sql's) and reads how its pool is sized.
((call_expression
   function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)
   arguments: (argument_list . (_))) @match
 (#model? @fn "effect:client"))

; db.SetMaxOpenConns(n), s.db.SetMaxOpenConns(n), gorm v1's db.DB().SetMaxOpenConns(n), and
; sqlDB.SetMaxOpenConns(n) after `sqlDB, err := db.DB()`: rule.ts keeps the setters the models
; give a pool (and the accessors that lead to them).
((call_expression
   function: (selector_expression operand: (_) @key field: (field_identifier) @method)
   arguments: (argument_list "(" . (_) . ")")) @setter
 (#model? @method "effect:limit")
 (#set! fact go-pool-configured))

; cfg.MaxConns = 20: a pool option set on a config (rule.ts keeps the options the models give).
((assignment_statement
   left: (expression_list (selector_expression operand: (_) @key field: (field_identifier) @field)))
 (#model? @field "effect:limit")
 (#set! fact go-pool-option))

; Evidence for the readiness model: a pool capped by one of the setters the models give (SetMaxOpenConns).
((call_expression
   function: (selector_expression field: (field_identifier) @method)) @evidence
 (#any-of? @method "{{pool-setters}}")
 (#set! evidence "connection pool capped with SetMaxOpenConns"))
