; new Pool(...), new pg.Pool(...), new MongoClient(...), and aliases of them (new PgPool(...)):
; any constructor, since an alias can have any name; rule.ts resolves it through the file's imports.
((new_expression constructor: (identifier) @ctor) @match)

((new_expression
   constructor: (member_expression property: (property_identifier) @ctor)) @match
 (#model? @ctor "effect:client"))

; createPool(...), mysql.createPool(...), mongoose.connect(...), MongoClient.connect(...)
((call_expression function: (identifier) @fn) @match
 (#model? @fn "effect:client"))

((call_expression
   function: (member_expression property: (property_identifier) @fn)) @match
 (#model? @fn "effect:client"))

; Evidence for the readiness model: a pool or client whose size is set.
((new_expression
   constructor: [(identifier) @ctor (member_expression property: (property_identifier) @ctor)]
   arguments: (arguments (object (pair key: (property_identifier) @key)))) @evidence
 (#model? @ctor "effect:client")
 (#any-of? @key "{{pool-sizers}}")
 (#set! evidence "connection pool sized"))
((call_expression
   function: (member_expression property: (property_identifier) @fn)
   arguments: (arguments (object (pair key: (property_identifier) @key)))) @evidence
 (#model? @fn "effect:client")
 (#any-of? @key "{{pool-sizers}}")
 (#set! evidence "connection pool sized"))
