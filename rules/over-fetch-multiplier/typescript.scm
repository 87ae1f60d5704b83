; collection.find(q).limit(limit * 2), knex(...).limit(n * 3), qb.take(n * 2): the calls the models say
; take a limit (rule.ts keeps those whose first argument is that limit)
((call_expression
   function: (member_expression property: (property_identifier) @method)
   arguments: (arguments . (binary_expression) @match))
 (#model? @method "effect:limit"))
; .top(n * 2): a generic name for "the first n" (judgement, not a library's)
((call_expression
   function: (member_expression property: (property_identifier) @method)
   arguments: (arguments . (binary_expression) @match))
 (#eq? @method "top"))

; prisma.user.findMany({ take: n * 2 }), find(q, { limit: n * 2 }): pre-filtered by the words, checked
; against the models' `bound.option` in rule.ts
((pair key: (property_identifier) @key value: (binary_expression) @match)
 (#any-of? @key "take" "limit"))

; pool.query(sql, [q, limit * 2]), conn.execute(sql, [limit * 2]): a SQL parameter (rule.ts: a
; limit-like operand, as in Go); the methods the models say run SQL
((call_expression
   function: (member_expression property: (property_identifier) @method)
   arguments: (arguments (array (binary_expression) @match)))
 (#model? @method "effect:db-query effect:db-read-many effect:db-read-one")
 (#set! place "sql-parameter"))
