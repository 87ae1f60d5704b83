; coll.find({}).toArray(), cursor.toArray(), Model.find().lean().exec(): what materialises a
; cursor, by the models (MongoDB driver FindCursor, mongoose Query).
((call_expression
   function: (member_expression object: (_) @recv property: (property_identifier) @method)
   arguments: (arguments) @args) @match
 (#model? @method "effect:materialize"))

; mongoose / TypeORM: `await User.find()`, `await User.find({}).sort({ name: 1 }).lean()`
((await_expression
   (call_expression
     function: (member_expression property: (property_identifier) @method)) @match)
 (#model? @method "effect:db-read-many type:mongoose.Query"))

; Prisma / Drizzle / Sequelize: prisma.user.findMany(), findMany({ where }), User.findAll({ where })
; without take/limit: the reads of their model delegates whose options hold a limit (rule.ts reads
; which option from the models).
((call_expression
   function: (member_expression property: (property_identifier) @method)
   arguments: (arguments) @args) @match
 (#model? @method "type:@prisma/client.Prisma.ModelDelegate type:drizzle-orm.RelationalQuery type:sequelize.Model"))

; Export: the same reads of a Prisma model (rule.ts: prismaRead), judged with the schema's models by
; the growth join (orm-tables.ts): a table that does not grow with the users is read whole by design.
((call_expression
   function: (member_expression property: (property_identifier) @method)
   arguments: (arguments) @args) @match
 (#model? @method "type:@prisma/client.Prisma.ModelDelegate")
 (#set! export "orm-read.prisma"))

; TypeORM: repository.find({ order }), findAndCount({ where: { status } }) without take: the
; repository's reads whose options hold a limit (rule.ts checks the receiver is a repository).
((call_expression
   function: (member_expression property: (property_identifier) @method)
   arguments: (arguments) @args) @match
 (#model? @method "type:typeorm.Repository type:typeorm.EntityManager")
 (#set! form "typeorm"))

; Fact: `cursor.limit(n)` bounds the cursor held by `cursor`.
((call_expression
   function: (member_expression object: (identifier) @key property: (property_identifier) @method))
 (#model? @method "effect:limit")
 (#set! fact "unbounded-fetch.limit-call"))

; Fact: what `const cursor = coll.find({}).sort(...)` holds (bounded or not).
((variable_declarator
   name: (identifier) @key
   value: (call_expression function: (member_expression property: (property_identifier) @method)) @value)
 (#model? @method "effect:db-read-many effect:limit type:mongodb.FindCursor")
 (#set! fact "unbounded-fetch.assign"))
((assignment_expression
   left: (identifier) @key
   right: (call_expression function: (member_expression property: (property_identifier) @method)) @value)
 (#model? @method "effect:db-read-many effect:limit type:mongodb.FindCursor")
 (#set! fact "unbounded-fetch.assign"))

; Query builders, run when awaited: `await knex('users').where({ active: true })`,
; `await db.select().from(users)`, `await supabase.from('users').select('*')`, with no limit in the
; chain (rule.ts: checkBuilder).
((await_expression
   (call_expression
     function: (member_expression property: (property_identifier) @method)) @match)
 (#model? @method "type:knex.Knex.QueryBuilder type:drizzle-orm.SelectBuilder type:@supabase/postgrest-js.PostgrestQueryBuilder")
 (#set! form "builder"))

; ... or by their read: TypeORM `repo.createQueryBuilder('u').where(…).getMany()`.
((call_expression
   function: (member_expression property: (property_identifier) @method)) @match
 (#model? @method "type:typeorm.SelectQueryBuilder")
 (#model? @method "effect:db-read-many")
 (#set! form "builder-read"))

; Export: the TypeORM reads above, when the code names the entity (`getRepository(User)`,
; `manager.find(User)`, a field typed `Repository<User>`; ts-tables.ts readEntity): judged with the
; workspace's entities by the growth join, as Prisma's reads are with its schema.
((call_expression
   function: (member_expression property: (property_identifier) @method)
   arguments: (arguments) @args) @match
 (#model? @method "type:typeorm.Repository type:typeorm.EntityManager")
 (#set! form "typeorm")
 (#set! export "orm-read.typeorm"))
((await_expression
   (call_expression
     function: (member_expression property: (property_identifier) @method)) @match)
 (#model? @method "effect:db-read-many type:mongoose.Query")
 (#set! export "orm-read.typeorm"))

; Export: TypeORM entities (`@Entity() class Order`) and what they reference
; (`@ManyToOne(() => Customer) customer`), for the growth join (ts-tables.ts).
((class_declaration name: (type_identifier)) @class
 (#set! gate "Entity")
 (#set! export "orm-table.typeorm"))
((public_field_definition
   decorator: (decorator (call_expression function: (identifier) @deco)) @decorator) @field
 (#model? @deco "effect:relation")
 (#set! export "orm-relation.typeorm"))

; node-postgres, mysql2, …: `await pool.query('SELECT id, email FROM users')` inside a request
; handler, as in Go (rule.ts checks the string is in the statement's place).
((call_expression
   function: (member_expression property: (property_identifier) @method)
   arguments: (arguments . [(string) (template_string)] @match))
 (#model? @method "effect:db-query effect:db-read-many effect:db-statement")
 (#is? inside-handler match)
 (#set! form "sql"))
