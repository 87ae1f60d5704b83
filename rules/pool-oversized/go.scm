; db.SetMaxOpenConns(200) (database/sql, sqlx, gorm's sqlDB), options.Client().SetMaxPoolSize(500):
; a setter or option method the models say sizes a pool.
((call_expression
   function: (selector_expression operand: (_) @receiver field: (field_identifier) @method)
   arguments: (argument_list . (int_literal) @size)) @call
 (#any-of? @method "{{pool-sizers}}")
 (#set! export "pool-size"))

; pgxpool: config.MaxConns = 200
((assignment_statement
   left: (expression_list (selector_expression operand: (_) @receiver field: (field_identifier) @field))
   right: (expression_list (int_literal) @size)) @call
 (#any-of? @field "{{pool-sizers}}")
 (#set! export "pool-size"))

; "postgres://…?pool_max_conns=200": a pool option in a DSN literal
((interpreted_string_literal) @call
 (#match? @call "://")
 (#match? @call "{{pool-url-options}}")
 (#set! export "pool-size"))
