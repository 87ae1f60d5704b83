; new Pool(...), new MongoClient(...), and aliases of them (new PgPool(...))
((new_expression constructor: (identifier) @ctor) @match
 (#match? @ctor "Pool|Mongo|Client"))

; new pg.Pool(...), new mongodb.MongoClient(...)
((new_expression
   constructor: (member_expression object: (identifier) @ns property: (property_identifier) @ctor)) @match
 (#any-of? @ctor "Pool" "MongoClient"))

; createPool(...), connect(...) / createConnection(...) imported from mongoose
((call_expression function: (identifier) @fn) @match
 (#any-of? @fn "createPool" "connect" "createConnection"))

; mysql.createPool(...), mongoose.connect(...), mongoose.createConnection(...), MongoClient.connect(...)
((call_expression
   function: (member_expression object: (identifier) @ns property: (property_identifier) @fn)) @match
 (#any-of? @fn "createPool" "connect" "createConnection"))

; import ... from 'pg' (every import: names bound from other modules matter too)
((import_statement source: (string (string_fragment) @module)) @import
 (#set! fact ts-import))

; const pg = require('pg'), const { Pool } = require('pg')
((variable_declarator
   name: (_) @binding
   value: (call_expression function: (identifier) @require arguments: (arguments . (string (string_fragment) @module) .)))
 (#eq? @require "require")
 (#set! fact ts-import))

; const Pool = require('pg').Pool
((variable_declarator
   name: (identifier) @binding
   value: (member_expression
     object: (call_expression function: (identifier) @require arguments: (arguments . (string (string_fragment) @module) .))
     property: (property_identifier) @export))
 (#eq? @require "require")
 (#set! fact ts-import))

; Evidence for the readiness model: a pool or client whose size is set.
((new_expression
   constructor: [(identifier) @ctor (member_expression property: (property_identifier) @ctor)]
   arguments: (arguments (object (pair key: (property_identifier) @key)))) @evidence
 (#any-of? @ctor "Pool" "MongoClient")
 (#any-of? @key "max" "maxPoolSize")
 (#set! evidence "connection pool sized"))
((call_expression
   function: (member_expression property: (property_identifier) @fn)
   arguments: (arguments (object (pair key: (property_identifier) @key)))) @evidence
 (#any-of? @fn "createPool" "connect" "createConnection")
 (#any-of? @key "connectionLimit" "maxPoolSize")
 (#set! evidence "connection pool sized"))
