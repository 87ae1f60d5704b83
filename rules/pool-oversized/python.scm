; Pool sizes: a client or pool constructor the models know (create_engine, AsyncIOMotorClient,
; asyncpg.create_pool, psycopg_pool.ConnectionPool ...). rule.ts resolves it and reads the numbers
; from the keywords, URL parameters and positions its model row gives.
((call
   function: [(identifier) @ctor (attribute attribute: (identifier) @ctor)]
   arguments: (argument_list)) @call
 (#model? @ctor "effect:client")
 (#set! export "pool-size"))

; Worker processes started in code: uvicorn.run(app, workers=4) (the models' process-count calls and their bound).
((call
   function: [(identifier) @fn (attribute attribute: (identifier) @fn)]
   arguments: (argument_list)) @call
 (#model? @fn "effect:process-count")
 (#set! export "process-count"))

; ... and a process-count setting of a configuration module: gunicorn's `workers = 4` /
; `workers = multiprocessing.cpu_count() * 2 + 1` (rule.ts keeps module-level ones; the workspace
; pass keeps those in the files the models name).
((expression_statement
   (assignment left: (identifier) @name right: (_) @value)) @call
 (#any-of? @name "{{process-settings}}")
 (#set! export "process-count"))
