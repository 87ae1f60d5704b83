; db.SetMaxOpenConns(200) (database/sql, sqlx, gorm's sqlDB) and mongo's options.Client().SetMaxPoolSize(500)
((call_expression
   function: (selector_expression field: (field_identifier) @method)
   arguments: (argument_list . (int_literal) @size)) @call
 (#any-of? @method "SetMaxOpenConns" "SetMaxPoolSize")
 (#set! export "pool-size"))

; pgxpool: config.MaxConns = 200
((assignment_statement
   left: (expression_list (selector_expression field: (field_identifier) @field))
   right: (expression_list (int_literal) @size)) @call
 (#eq? @field "MaxConns")
 (#set! export "pool-size"))

; pgxpool: "postgres://…?pool_max_conns=200" in a DSN literal
((interpreted_string_literal) @call
 (#match? @call "pool_max_conns")
 (#set! export "pool-size"))
