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
