; ---- facts --------------------------------------------------------------------------------

; from httpx import AsyncClient, from redis.asyncio import Redis, from mongomock import MongoClient
((import_from_statement module_name: (dotted_name) @module) @import
 (#match? @module "^(httpx|aiohttp|redis|aioredis|urllib3|asyncpg|aiomysql|psycopg_pool|mongomock)")
 (#set! fact prc-py-import))

; Depends(get_redis), Security(get_client), Depends(dependency=get_client): FastAPI calls the
; function for every request that uses it
((call
   function: (identifier) @depends
   arguments: (argument_list . [(identifier) (attribute)] @key))
 (#any-of? @depends "Depends" "Security")
 (#set! fact prc-py-depends))
((call
   function: (identifier) @depends
   arguments: (argument_list (keyword_argument name: (identifier) @kw value: [(identifier) (attribute)] @key)))
 (#any-of? @depends "Depends" "Security")
 (#eq? @kw "dependency")
 (#set! fact prc-py-depends))

; The clients pool-unconfigured reports too: it leaves the ones created per request to this rule.
((call function: (identifier) @name) @key
 (#any-of? @name "AsyncIOMotorClient" "MongoClient" "AsyncMongoClient" "create_engine" "create_async_engine")
 (#set! fact per-request-client))
((call function: (attribute attribute: (identifier) @name)) @key
 (#any-of? @name "AsyncIOMotorClient" "MongoClient" "AsyncMongoClient" "create_engine" "create_async_engine")
 (#set! fact per-request-client))

; ---- findings -----------------------------------------------------------------------------

; AsyncIOMotorClient(...), create_engine(...), AsyncClient(...) / Redis(...) imported by name
((call function: (identifier) @name) @match
 (#any-of? @name
   "AsyncIOMotorClient" "MongoClient" "AsyncMongoClient" "create_engine" "create_async_engine"
   "AsyncClient" "Client" "ClientSession" "Redis" "StrictRedis" "ConnectionPool" "BlockingConnectionPool"
   "AsyncConnectionPool" "PoolManager" "create_pool"))

; httpx.AsyncClient(...), redis.Redis(...), Redis.from_url(...), requests.Session(), psycopg2.connect(...)
((call function: (attribute object: (_) @object attribute: (identifier) @name)) @match
 (#any-of? @name
   "AsyncIOMotorClient" "MongoClient" "AsyncMongoClient" "create_engine" "create_async_engine"
   "AsyncClient" "Client" "ClientSession" "Redis" "StrictRedis" "from_url" "ConnectionPool" "BlockingConnectionPool"
   "AsyncConnectionPool" "Session" "PoolManager" "connect" "create_pool"))
