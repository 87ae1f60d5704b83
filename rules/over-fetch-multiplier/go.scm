; db.Query(sql, limit*2), gorm's db.Limit(limit * 2)
((call_expression
   function: (selector_expression field: (field_identifier) @method)
   arguments: (argument_list (binary_expression) @match))
 (#any-of? @method "Limit" "Query" "QueryContext" "QueryRow" "QueryRowContext" "Select" "SelectContext" "Queryx" "QueryxContext"))
