; Pool sizes: new Pool({ max }) (pg), new MongoClient(uri, { maxPoolSize }), new Sequelize(..., { pool: { max } }),
; mysql.createPool({ connectionLimit }), mongoose.connect(uri, { maxPoolSize }), knex({ client, pool: { max } }):
; a client constructor the models know; rule.ts resolves it and reads the options its model row gives.
((new_expression
   constructor: [(identifier) @ctor (member_expression property: (property_identifier) @ctor)]
   arguments: (arguments)) @call
 (#any-of? @ctor "{{client-names}}")
 (#set! export "pool-size"))

((call_expression
   function: [(identifier) @ctor (member_expression property: (property_identifier) @ctor)]
   arguments: (arguments)) @call
 (#any-of? @ctor "{{client-names}}")
 (#set! export "pool-size"))

; Prisma: "postgresql://…?connection_limit=50": a pool option in a URL literal
([(string) (template_string)] @call
 (#match? @call "://")
 (#match? @call "{{pool-url-options}}")
 (#set! export "pool-size"))

; Processes: pm2's `instances: 4 | "max"` (the models' process-count settings; the workspace pass
; keeps those in the files the models name) ...
((pair key: (property_identifier) @key value: (_) @value) @call
 (#any-of? @key "{{process-settings}}")
 (#set! export "process-count"))

; ... and cluster.fork() in a loop, bounded by a number or the CPU count.
((call_expression
   function: (member_expression property: (property_identifier) @method)) @call
 (#model? @method "effect:process-count")
 (#set! export "process-count"))

; const numCPUs = os.cpus().length / os.availableParallelism(): a loop bound by that name forks one process per CPU.
((variable_declarator
   name: (identifier) @name
   value: (member_expression
     object: (call_expression function: (member_expression property: (property_identifier) @fn))
     property: (property_identifier) @length)) @call
 (#model? @fn "effect:cpu-count")
 (#eq? @length "length")
 (#set! export "cpu-count-alias"))
((variable_declarator
   name: (identifier) @name
   value: (call_expression function: (member_expression property: (property_identifier) @fn))) @call
 (#model? @fn "effect:cpu-count")
 (#set! export "cpu-count-alias"))
