; collection.find(q).limit(limit * 2), knex(...).limit(n * 3)
((call_expression
   function: (member_expression property: (property_identifier) @method)
   arguments: (arguments . (binary_expression) @match))
 (#any-of? @method "limit" "take" "top"))

; prisma.user.findMany({ take: n * 2 }), find(q, { limit: n * 2 })
((pair key: (property_identifier) @key value: (binary_expression) @match)
 (#any-of? @key "take" "limit"))
