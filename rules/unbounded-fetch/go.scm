; rows, err := db.QueryContext(ctx, `SELECT id, email FROM users`) inside a request handler: the calls
; the models say take SQL (rule.ts checks the string is in the statement's place)
((call_expression
   function: (selector_expression field: (field_identifier) @method)
   arguments: (argument_list
     [(interpreted_string_literal) (raw_string_literal) (binary_expression)] @match))
 (#model? @method "effect:db-query effect:db-read-many effect:db-statement")
 (#is? inside-handler match))

; query := `SELECT ...` in a handler, then db.Query(query) in the same function
((short_var_declaration
   left: (expression_list . (identifier) @var .)
   right: (expression_list . [(interpreted_string_literal) (raw_string_literal) (binary_expression)] @match .))
 (#is? inside-handler match))
((var_spec
   name: (identifier) @var
   value: (expression_list . [(interpreted_string_literal) (raw_string_literal) (binary_expression)] @match .))
 (#is? inside-handler match))
((const_spec
   name: (identifier) @var
   value: (expression_list . [(interpreted_string_literal) (raw_string_literal) (binary_expression)] @match .))
 (#is? inside-handler match))

; Fact: a variable passed to a query call.
((call_expression
   function: (selector_expression field: (field_identifier) @method)
   arguments: (argument_list (identifier) @key))
 (#model? @method "effect:db-query effect:db-read-many effect:db-statement")
 (#set! fact "unbounded-fetch.go-arg"))

; Fact: a variable assigned again (`query += " WHERE ..."`): its final text is unknown.
((assignment_statement left: (expression_list (identifier) @key))
 (#set! fact "unbounded-fetch.go-reassign"))

; Export: a read that fills a slice (gorm `db.Order("id").Find(&orders)`): go-tables.ts keeps it when
; nothing before it filters or limits, and the join (orm-tables.ts) when the struct grows with the users.
((call_expression
   function: (selector_expression field: (field_identifier) @method)
   arguments: (argument_list . (unary_expression) @dest .)) @read
 (#model? @method "effect:db-read-many")
 (#set! export "orm-read.go"))

; Export: a struct mapped to a table (a `gorm:"…"` tag, an embedded gorm.Model) and what it references.
((type_spec name: (type_identifier) @class type: (struct_type)) @key
 (#set! gate "gorm")
 (#set! export "orm-struct.go"))
