; Pool sizes: create_engine(..., pool_size=, max_overflow=), Motor/PyMongo maxPoolSize (keyword or in
; the URI), asyncpg/aiomysql create_pool, psycopg_pool and psycopg2 pools. rule.ts reads the numbers.
((call
   function: [(identifier) @ctor (attribute attribute: (identifier) @ctor)]
   arguments: (argument_list)) @call
 (#any-of? @ctor "create_engine" "create_async_engine" "AsyncIOMotorClient" "MongoClient" "AsyncMongoClient" "create_pool" "ConnectionPool" "AsyncConnectionPool" "ThreadedConnectionPool" "SimpleConnectionPool")
 (#set! export "pool-size"))

; Worker processes declared in code: uvicorn.run(app, workers=4)
((call
   function: (attribute object: (identifier) @module attribute: (identifier) @fn)
   arguments: (argument_list)) @call
 (#eq? @module "uvicorn")
 (#eq? @fn "run")
 (#set! export "process-count"))

; ... and `workers = 4` / `workers = multiprocessing.cpu_count() * 2 + 1` in a gunicorn config module
; (rule.ts keeps module-level ones; the workspace pass keeps those in gunicorn*.py files).
((expression_statement
   (assignment left: (identifier) @name right: (_) @value)) @call
 (#eq? @name "workers")
 (#set! export "process-count"))
