; ---- facts --------------------------------------------------------------------------------

; import { Pool } from 'pg', import Redis from 'ioredis', import * as https from 'https'
((import_statement source: (string (string_fragment) @module)) @import
 (#match? @import "^import")
 (#set! fact prc-ts-import))

; const { Pool } = require('pg'), const Redis = require('ioredis')
((variable_declarator
   name: (_) @binding
   value: (call_expression function: (identifier) @require arguments: (arguments . (string (string_fragment) @module) .)))
 (#eq? @require "require")
 (#set! fact prc-ts-import))

; const Pool = require('pg').Pool
((variable_declarator
   name: (identifier) @binding
   value: (member_expression
     object: (call_expression function: (identifier) @require arguments: (arguments . (string (string_fragment) @module) .))
     property: (property_identifier) @export))
 (#eq? @require "require")
 (#set! fact prc-ts-import))

; The pools pool-unconfigured reports too: it leaves the ones created per request to this rule.
((new_expression constructor: (identifier) @ctor) @key
 (#match? @ctor "Pool|Mongo|Client")
 (#set! fact per-request-client))
((new_expression constructor: (member_expression property: (property_identifier) @ctor)) @key
 (#any-of? @ctor "Pool" "MongoClient")
 (#set! fact per-request-client))
((call_expression function: (identifier) @fn) @key
 (#eq? @fn "createPool")
 (#set! fact per-request-client))
((call_expression function: (member_expression property: (property_identifier) @fn)) @key
 (#eq? @fn "createPool")
 (#set! fact per-request-client))

; ---- findings -----------------------------------------------------------------------------

; new Pool(...), new MongoClient(...), new Redis(...), new PrismaClient(), new Agent(...), aliases (new PgPool())
((new_expression constructor: (identifier) @ctor) @match
 (#match? @ctor "Pool|Client|Redis|Agent"))

; new pg.Pool(...), new https.Agent(...), new Redis.Cluster(...)
((new_expression
   constructor: (member_expression object: (identifier) @ns property: (property_identifier) @ctor)) @match
 (#any-of? @ctor "Pool" "Client" "MongoClient" "Cluster" "Agent"))

; createPool(...), createConnection(...), createClient(...) imported by name
((call_expression function: (identifier) @fn) @match
 (#any-of? @fn "createPool" "createConnection" "createClient" "createCluster"))

; mysql.createPool(...), redis.createClient(...)
((call_expression
   function: (member_expression object: (identifier) @ns property: (property_identifier) @fn)) @match
 (#any-of? @fn "createPool" "createConnection" "createClient" "createCluster"))
