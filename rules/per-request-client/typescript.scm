; ---- facts --------------------------------------------------------------------------------

; The pools pool-unconfigured reports too: it leaves the ones created per request to this rule.
((new_expression constructor: (identifier) @ctor) @key
 (#set! fact per-request-client))
((new_expression constructor: (member_expression property: (property_identifier) @ctor)) @key
 (#model? @ctor "effect:client")
 (#set! fact per-request-client))
((call_expression function: [(identifier) @fn (member_expression property: (property_identifier) @fn)]) @key
 (#model? @fn "effect:client")
 (#set! fact per-request-client))

; ---- findings -----------------------------------------------------------------------------

; new Pool(...), new MongoClient(...), new Redis(...), new PrismaClient(), and aliases (new PgPool()):
; any constructor, since an alias can have any name; rule.ts resolves it through the file's imports.
((new_expression constructor: (identifier) @ctor) @match)

; new pg.Pool(...), new https.Agent(...), new Redis.Cluster(...)
((new_expression
   constructor: (member_expression property: (property_identifier) @ctor)) @match
 (#model? @ctor "effect:client"))

; createPool(...), createClient(...), mysql.createPool(...), redis.createClient(...), MongoClient.connect(...)
((call_expression function: [(identifier) @fn (member_expression property: (property_identifier) @fn)]) @match
 (#model? @fn "effect:client"))
