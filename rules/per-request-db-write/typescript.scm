; ---------------------------------------------------------------------------------------------
; Findings: a database write call (MongoDB driver, mongoose, Prisma, Sequelize, TypeORM, knex,
; drizzle, pg/mysql2 with write SQL). rule.ts keeps the writes and the middleware around them:
; app.use/router.use callbacks (Express, Koa, Hono), Fastify request hooks, Nest middleware,
; (req, res, next) functions that call next(), and named functions registered with use().
((call_expression
   function: (member_expression object: (_) @recv property: (property_identifier) @method)) @match
 (#any-of? @method
   "insertOne" "insertMany" "updateOne" "updateMany" "replaceOne" "findOneAndUpdate" "findOneAndReplace" "findByIdAndUpdate" "bulkWrite"
   "create" "createMany" "upsert" "update" "save" "insert"
   "query" "execute" "raw" "$executeRaw" "$executeRawUnsafe"))

; sql`INSERT INTO ...` (postgres.js, @vercel/postgres)
((call_expression
   function: (identifier) @method
   arguments: (template_string)) @match
 (#eq? @method "sql"))

; ---------------------------------------------------------------------------------------------
; Facts: a function of this file registered as middleware, keyed by its name.
; app.use(audit) / app.use('/api', audit) / app.use(audit(db))
((call_expression
   function: (member_expression property: (property_identifier) @use)
   arguments: (arguments [(identifier) @key (call_expression function: (identifier) @key)]))
 (#eq? @use "use")
 (#set! fact "per-request-db-write.registered"))

; fastify.addHook('onResponse', recordVisit)
((call_expression
   function: (member_expression property: (property_identifier) @use)
   arguments: (arguments . (string (string_fragment) @hook) . [(identifier) @key (call_expression function: (identifier) @key)]))
 (#eq? @use "addHook")
 (#any-of? @hook "onRequest" "preParsing" "preValidation" "preHandler" "preSerialization" "onSend" "onResponse")
 (#set! fact "per-request-db-write.registered"))
