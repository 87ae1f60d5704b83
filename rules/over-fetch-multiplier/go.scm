; db.Query(sql, limit*2), gorm's db.Limit(limit * 2): the calls the models say take a limit or SQL
((call_expression
   function: (selector_expression field: (field_identifier) @method)
   arguments: (argument_list (binary_expression) @match))
 (#model? @method "effect:limit effect:db-query effect:db-read-one effect:db-read-many"))
