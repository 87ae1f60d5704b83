; MongoDB driver, mongoose, knex, drizzle, TypeORM query builder: coll.find(q).limit(1000), qb.take(1000):
; the models' limits
((call_expression
   function: (member_expression property: (property_identifier) @method)
   arguments: (arguments . (number) .)) @match
 (#model? @method "effect:limit")
 (#set! kind "limit"))

; prisma.user.findMany({ take: 1000 }), coll.find(q, { limit: 1000 }), Model.findAll({ limit: 1000 })
((call_expression
   function: (member_expression property: (property_identifier) @method)
   arguments: (arguments
     (object (pair key: (property_identifier) @key value: (number)) @match)))
 (#model? @method "effect:db-read-many")
 (#any-of? @key "take" "limit")
 (#set! kind "option"))

; Supabase: supabase.from('users').select('*').range(0, 999)
((call_expression
   function: (member_expression object: (call_expression) property: (property_identifier) @method)
   arguments: (arguments . (number) . (number) .)) @match
 (#model? @method "type:@supabase/postgrest-js.PostgrestQueryBuilder")
 (#set! kind "range"))

; A call that sends, schedules or writes, inside a loop or an iterating callback (see python.scm; the
; name is only pre-filtered here, by plain words so that the engine can use them as literals).
((call_expression
   function: [(identifier) @callee (member_expression property: (property_identifier) @callee)]) @call
 (#match? @callee "(send|Send|notify|Notify|publish|post|emit|deliver|dispatch|email|Email|mail|Mail|sms|broadcast|enqueue|queue|Queue|schedule|submit|defer|add|create|insert|update|Update|upsert|save|write|delete|Delete|remove|put|replace|Replace|bulk|lpush|rpush|xadd|persist|store)")
 (#is? inside-loop call)
 (#set! fact item-action))
