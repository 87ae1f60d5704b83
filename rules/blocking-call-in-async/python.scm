; ---- facts --------------------------------------------------------------------------------
; Imports say what a name is: `requests` the HTTP library (not a local list of requests), `Redis`
; the sync client (not redis.asyncio's), `sleep` time's (not asyncio's). rule.ts names each fact
; `py-mod:<module>` / `py-from:<module>.<name>`, keyed by the local name.

; import requests / import urllib.request / import redis.asyncio
((import_statement
   name: (dotted_name) @mod)
 (#any-of? @mod "requests" "httpx" "time" "subprocess" "urllib.request" "pymongo" "redis" "psycopg2" "psycopg2.pool" "psycopg" "psycopg_pool" "motor" "motor.motor_asyncio")
 (#set! fact py-import))

; import requests as http / import redis.asyncio as redis
((import_statement
   name: (aliased_import name: (dotted_name) @mod alias: (identifier) @key))
 (#any-of? @mod "requests" "httpx" "time" "subprocess" "urllib.request" "pymongo" "redis" "redis.asyncio" "psycopg2" "psycopg" "psycopg_pool" "motor" "motor.motor_asyncio")
 (#set! fact py-import))

; from time import sleep / from redis import Redis / from urllib import request
((import_from_statement
   module_name: (dotted_name) @mod
   name: [(dotted_name) @name (aliased_import name: (dotted_name) @name alias: (identifier) @key)])
 (#any-of? @mod "requests" "httpx" "time" "subprocess" "urllib" "urllib.request" "pymongo" "redis" "redis.asyncio" "psycopg2" "psycopg" "psycopg_pool" "motor.motor_asyncio" "motor.motor_tornado")
 (#set! fact py-import))

; import flask / from flask import Flask: Flask runs an `async def` view in an event loop of its own,
; one per request, so a blocking call there holds up that request only
((import_statement name: (dotted_name) @mod)
 (#eq? @mod "flask")
 (#set! fact py-flask))
((import_from_statement module_name: (dotted_name) @mod)
 (#eq? @mod "flask")
 (#set! fact py-flask))

; from aiofiles import open / from x import aopen as open: a bare `open(...)` in this file is not the builtin
((import_from_statement
   name: (dotted_name) @name)
 (#eq? @name "open")
 (#set! fact py-open-shadowed))
((import_from_statement
   name: (aliased_import alias: (identifier) @name))
 (#eq? @name "open")
 (#set! fact py-open-shadowed))

; A sync client or session bound at module level (`client = MongoClient(url)`) or on an instance
; (`self.http = requests.Session()`): keyed `<name>=<constructor>`.
((assignment
   left: [(identifier) (attribute)] @key
   right: (call function: [(identifier) (attribute)] @ctor))
 (#match? @ctor "(Session|session|Client|Redis|from_url|MongoClient|connect|ConnectionPool)$")
 (#set! fact py-bound))

; ---- findings -----------------------------------------------------------------------------

; requests.get(...), httpx.post(...), subprocess.run(...), psycopg2.connect(...): the module names
; are common words in comments and strings, so each group runs only in files that name the library.
((call
   function: (attribute object: (identifier) @mod attribute: (identifier) @fn)) @match
 (#any-of? @mod "requests" "httpx")
 (#is? inside-async match)
 (#set! shape "module")
 (#set! gate "requests httpx"))
((call
   function: (attribute object: (identifier) @mod attribute: (identifier) @fn)) @match
 (#any-of? @mod "subprocess" "psycopg2" "psycopg")
 (#is? inside-async match)
 (#set! shape "module")
 (#set! gate "subprocess psycopg"))

; time.sleep(...): anchored on `sleep`, rarer than `time`.
((call
   function: (attribute object: (identifier) @mod attribute: (identifier) @fn)) @match
 (#eq? @mod "time")
 (#eq? @fn "sleep")
 (#is? inside-async match)
 (#set! shape "module"))

; urllib.request.urlopen(...), request.urlopen(...)
((call
   function: (attribute attribute: (identifier) @fn)) @match
 (#eq? @fn "urlopen")
 (#is? inside-async match)
 (#set! shape "urlopen"))

; sleep(...), urlopen(...) imported by name
((call
   function: (identifier) @fn) @match
 (#any-of? @fn "sleep" "urlopen")
 (#is? inside-async match)
 (#set! shape "bare"))

; get(...), run(...), connect(...) imported by name from requests/httpx, subprocess, psycopg: plain
; calls of such common names are everywhere, so only files that name those libraries run this.
((call
   function: (identifier) @fn) @match
 (#any-of? @fn "get" "post" "put" "patch" "delete" "head" "options" "request" "run" "call" "check_call" "check_output" "connect")
 (#is? inside-async match)
 (#set! shape "bare")
 (#set! gate "requests httpx subprocess psycopg"))

; open(path).read()
((call
   function: (attribute
     object: (call function: (identifier) @open)
     attribute: (identifier) @fn)) @match
 (#eq? @open "open")
 (#any-of? @fn "read" "readlines" "write" "writelines")
 (#is? inside-async match)
 (#set! shape "open"))

; A method of a client: session.get(...), r.get(...), client.app.users.find_one(...), conn.cursor()
((call
   function: (attribute attribute: (identifier) @fn)) @match
 (#any-of? @fn
   "get" "post" "put" "patch" "delete" "head" "options" "request" "send"
   "set" "setex" "setnx" "getset" "getdel" "exists" "expire" "ttl" "incr" "incrby" "decr" "decrby"
   "mget" "mset" "hget" "hset" "hgetall" "hmget" "hdel" "hincrby" "lpush" "rpush" "lpop" "rpop" "lrange" "llen"
   "blpop" "brpop" "sadd" "srem" "smembers" "sismember" "scard" "zadd" "zrem" "zrange" "zrevrange" "zrangebyscore"
   "zscore" "zincrby" "publish" "keys" "scan" "eval" "evalsha" "ping" "xadd" "xread"
   "find" "find_one" "insert_one" "insert_many" "update_one" "update_many" "replace_one" "delete_one" "delete_many"
   "count_documents" "estimated_document_count" "aggregate" "distinct" "bulk_write"
   "find_one_and_update" "find_one_and_delete" "find_one_and_replace" "create_index"
   "cursor" "commit" "rollback" "execute" "executemany" "getconn" "connection")
 (#is? inside-async match)
 (#set! shape "method")
 ; Only files that create or import a sync client can have one to call (rule.ts requires it): skip the rest.
 (#set! gate "requests httpx redis Redis pymongo MongoClient psycopg Session"))
