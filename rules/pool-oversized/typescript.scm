; new Pool({ max }) (pg), new MongoClient(uri, { maxPoolSize }), new Sequelize(..., { pool: { max } })
((new_expression
   constructor: [(identifier) @ctor (member_expression property: (property_identifier) @ctor)]
   arguments: (arguments)) @call
 (#any-of? @ctor "Pool" "MongoClient" "Sequelize")
 (#set! export "pool-size"))

; mysql.createPool({ connectionLimit }), mongoose.connect(uri, { maxPoolSize }), knex({ client, pool: { max } })
((call_expression
   function: [(identifier) @ctor (member_expression property: (property_identifier) @ctor)]
   arguments: (arguments)) @call
 (#any-of? @ctor "createPool" "connect" "createConnection" "knex")
 (#set! export "pool-size"))

; Prisma: "postgresql://…?connection_limit=50"
([(string) (template_string)] @call
 (#match? @call "connection_limit")
 (#set! export "pool-size"))

; Which driver a file imports: `new Pool` is pg's only where pg is imported.
((import_statement source: (string (string_fragment) @module)) @call
 (#any-of? @module "pg" "pg-pool" "mysql" "mysql2" "mysql2/promise" "mongodb" "mongoose")
 (#set! export "driver-import"))
((call_expression
   function: (identifier) @require
   arguments: (arguments . (string (string_fragment) @module))) @call
 (#eq? @require "require")
 (#any-of? @module "pg" "pg-pool" "mysql" "mysql2" "mysql2/promise" "mongodb" "mongoose")
 (#set! export "driver-import"))

; Processes: pm2's `instances: 4 | "max"` (the workspace pass keeps those in ecosystem/pm2 files) ...
((pair key: (property_identifier) @key value: (_) @value) @call
 (#eq? @key "instances")
 (#set! export "process-count"))

; ... and cluster.fork() in a loop, bounded by a number or the CPU count.
((call_expression
   function: (member_expression object: (identifier) @object property: (property_identifier) @method)) @call
 (#eq? @object "cluster")
 (#eq? @method "fork")
 (#set! export "process-count"))

; const numCPUs = os.cpus().length / os.availableParallelism(): a loop bound by that name forks one process per CPU.
((variable_declarator
   name: (identifier) @name
   value: (member_expression
     object: (call_expression function: (member_expression property: (property_identifier) @fn))
     property: (property_identifier) @length)) @call
 (#eq? @fn "cpus")
 (#eq? @length "length")
 (#set! export "cpu-count-alias"))
((variable_declarator
   name: (identifier) @name
   value: (call_expression function: (member_expression property: (property_identifier) @fn))) @call
 (#eq? @fn "availableParallelism")
 (#set! export "cpu-count-alias"))
