; sql.Open, sql.OpenDB, sqlx.Open/Connect/MustConnect, gorm.Open, pgxpool.New/NewWithConfig (and pgx v4's Connect/ConnectConfig)
((call_expression
   function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)
   arguments: (argument_list . (_))) @match
 (#any-of? @pkg "sql" "sqlx" "gorm" "pgxpool")
 (#any-of? @fn "Open" "OpenDB" "Connect" "ConnectContext" "MustConnect" "MustOpen" "New" "NewWithConfig" "ConnectConfig"))

; db.SetMaxOpenConns(n), s.db.SetMaxOpenConns(n), gorm v1's db.DB().SetMaxOpenConns(n)
((call_expression
   function: (selector_expression operand: (_) @key field: (field_identifier) @method)
   arguments: (argument_list "(" . (_) . ")"))
 (#eq? @method "SetMaxOpenConns")
 (#set! fact go-pool-configured))

; gorm: `sqlDB, err := db.DB()` (its block is checked for `sqlDB.SetMaxOpenConns(n)` by the rule's facts)
((statement_list
   [(short_var_declaration
      left: (expression_list . (identifier) @inner)
      right: (expression_list . (call_expression
        function: (selector_expression operand: (_) @key field: (field_identifier) @getter)
        arguments: (argument_list "(" . ")"))))
    (assignment_statement
      left: (expression_list . (identifier) @inner)
      right: (expression_list . (call_expression
        function: (selector_expression operand: (_) @key field: (field_identifier) @getter)
        arguments: (argument_list "(" . ")"))))] @declaration) @block
 (#eq? @getter "DB")
 (#set! fact go-pool-configured))

; gorm: `if sqlDB, err := db.DB(); err == nil { sqlDB.SetMaxOpenConns(n) }`
((if_statement
   initializer: (short_var_declaration
     left: (expression_list . (identifier) @inner)
     right: (expression_list . (call_expression
       function: (selector_expression operand: (_) @key field: (field_identifier) @getter)
       arguments: (argument_list "(" . ")"))))
   consequence: (block (statement_list
     (expression_statement (call_expression
       function: (selector_expression operand: (identifier) @receiver field: (field_identifier) @method)
       arguments: (argument_list "(" . (_) . ")"))))))
 (#eq? @getter "DB")
 (#eq? @method "SetMaxOpenConns")
 (#eq? @inner @receiver)
 (#set! fact go-pool-configured))

; pgxpool: cfg.MaxConns = 20
((assignment_statement
   left: (expression_list (selector_expression operand: (_) @key field: (field_identifier) @field)))
 (#eq? @field "MaxConns")
 (#set! fact go-pgx-max-conns))

; pgxpool: cfg, err := pgxpool.ParseConfig(url) (configured when the URL sets pool_max_conns or is not a literal)
([(short_var_declaration
    left: (expression_list . (_) @key)
    right: (expression_list . (call_expression
      function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)
      arguments: (argument_list . (_) @url))))
  (assignment_statement
    left: (expression_list . (_) @key)
    right: (expression_list . (call_expression
      function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)
      arguments: (argument_list . (_) @url))))]
 (#eq? @pkg "pgxpool")
 (#eq? @fn "ParseConfig")
 (#set! fact go-pgx-parsed-config))

; Evidence for the readiness model: a database/sql pool capped.
((call_expression
   function: (selector_expression field: (field_identifier) @method)) @evidence
 (#eq? @method "SetMaxOpenConns")
 (#set! evidence "connection pool capped with SetMaxOpenConns"))
