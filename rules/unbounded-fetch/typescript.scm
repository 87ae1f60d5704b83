; coll.find({}).toArray(), cursor.toArray(), Model.find().lean().exec()
((call_expression
   function: (member_expression object: (_) @recv property: (property_identifier) @method)
   arguments: (arguments) @args) @match
 (#any-of? @method "toArray" "exec"))

; mongoose / TypeORM: `await User.find()`, `await User.find({}).sort({ name: 1 }).lean()`
((await_expression
   (call_expression
     function: (member_expression property: (property_identifier) @method)) @match)
 (#any-of? @method "find" "lean" "sort" "select" "populate" "skip" "collation" "hint" "maxTimeMS" "batchSize" "project"))

; Prisma / Drizzle: prisma.user.findMany(), findMany({ where }) without take
((call_expression
   function: (member_expression property: (property_identifier) @method)
   arguments: (arguments) @args) @match
 (#eq? @method "findMany"))

; Fact: `cursor.limit(n)` bounds the cursor held by `cursor`.
((call_expression
   function: (member_expression object: (identifier) @key property: (property_identifier) @method))
 (#eq? @method "limit")
 (#set! fact "unbounded-fetch.limit-call"))

; Fact: what `const cursor = coll.find({}).sort(...)` holds (bounded or not).
((variable_declarator
   name: (identifier) @key
   value: (call_expression function: (member_expression property: (property_identifier) @method)) @value)
 (#any-of? @method "find" "sort" "skip" "limit" "project" "batchSize" "collation" "hint" "maxTimeMS" "comment" "allowDiskUse")
 (#set! fact "unbounded-fetch.assign"))
((assignment_expression
   left: (identifier) @key
   right: (call_expression function: (member_expression property: (property_identifier) @method)) @value)
 (#any-of? @method "find" "sort" "skip" "limit" "project" "batchSize" "collation" "hint" "maxTimeMS" "comment" "allowDiskUse")
 (#set! fact "unbounded-fetch.assign"))
