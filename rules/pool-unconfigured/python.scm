; AsyncIOMotorClient(...), MongoClient(...), create_engine(...), create_async_engine(...) by their imported names
((call
   function: (identifier) @name
   arguments: (argument_list)) @match
 (#any-of? @name "AsyncIOMotorClient" "MongoClient" "AsyncMongoClient" "create_engine" "create_async_engine"))

; motor.motor_asyncio.AsyncIOMotorClient(...), pymongo.MongoClient(...), sqlalchemy.create_engine(...), sa.create_engine(...)
((call
   function: (attribute object: (_) @module attribute: (identifier) @name)
   arguments: (argument_list)) @match
 (#any-of? @name "AsyncIOMotorClient" "MongoClient" "AsyncMongoClient" "create_engine" "create_async_engine")
 (#match? @module "^(motor|motor_asyncio|pymongo|sqlalchemy|sa)(\\.|$)"))

; from mongomock import MongoClient: the file's MongoClient is an in-memory test double
((import_from_statement module_name: (dotted_name) @module)
 (#match? @module "^mongomock")
 (#set! fact py-mongomock))

; DATABASE_URL = "sqlite:///./app.db", database_url: str = "sqlite://", URL = os.getenv("URL", "sqlite://")
((assignment
   left: [(identifier) (attribute)] @key
   right: [(string) (call arguments: (argument_list [(string) (keyword_argument value: (string))]))] @value)
 (#match? @value "sqlite")
 (#set! fact py-sqlite-url))

; Evidence for the readiness model: a client whose pool is sized.
((call
   function: [(identifier) @ctor (attribute attribute: (identifier) @ctor)]
   arguments: (argument_list (keyword_argument name: (identifier) @kw))) @evidence
 (#any-of? @ctor "AsyncIOMotorClient" "MongoClient" "AsyncMongoClient" "create_engine" "create_async_engine")
 (#any-of? @kw "maxPoolSize" "pool_size")
 (#set! evidence "connection pool sized"))
