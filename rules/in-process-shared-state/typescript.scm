; Facts: describe('...', () => { ... }) at the top of a file (jest's and mocha's globals, without an import
; the file roles would see): a test module, whose state serves no users
((call_expression
   function: (identifier) @fn
   arguments: (arguments . (string) . [(arrow_function) (function_expression)] .)) @key
 (#model? @fn "symbol:describe")
 (#is-not? inside-function key)
 (#set! fact "ipss.not-server"))

; ---------------------------------------------------------------------------------------------
; Findings: a collection at module level or in a class, judged by rule.ts through facts:
; sockets added to it and sent to (a WebSocket registry), or database results stored in it (a cache).
; const clients = new Set<WebSocket>() / const users = new Map() / const cache = new NodeCache({ stdTTL: 60 })
((variable_declarator
   name: (identifier) @name
   value: (new_expression constructor: [(identifier) @ctor (member_expression property: (property_identifier) @ctor)]) @value) @match
 (#match? @value "^new ")
 (#is-not? inside-function match))

; let sockets: WebSocket[] = [] / const userCache = {}
((variable_declarator name: (identifier) @name value: [(array) (object)] @value) @match
 (#any-of? @value "[]" "{}")
 (#is-not? inside-function match))

; class Hub { private clients = new Set<WebSocket>() } (sockets only: gated on files that mention
; sockets, socket.io or a wss server)
((public_field_definition
   name: [(property_identifier) (private_property_identifier)] @name
   value: (new_expression constructor: (identifier) @ctor) @value) @match
 (#any-of? @ctor "Set" "Map" "WeakSet")
 (#set! gate "sock Sock wss 'ws' event-stream"))

((public_field_definition
   name: [(property_identifier) (private_property_identifier)] @name
   value: [(array) (object)] @value) @match
 (#any-of? @value "[]" "{}")
 (#set! gate "sock Sock wss 'ws' event-stream"))

; constructor() { this.clients = new Set() }
((assignment_expression
   left: (member_expression object: (this) property: [(property_identifier) (private_property_identifier)] @name)
   right: (new_expression constructor: (identifier) @ctor) @value) @match
 (#any-of? @ctor "Set" "Map" "WeakSet")
 (#set! gate "sock Sock wss 'ws' event-stream"))

((assignment_expression
   left: (member_expression object: (this) @this property: [(property_identifier) (private_property_identifier)] @name)
   right: [(array) (object)] @value) @match
 (#eq? @this "this")
 (#any-of? @value "[]" "{}")
 (#set! gate "sock Sock wss 'ws' event-stream"))

; Findings: new Server(httpServer) (socket.io, by its import), new WebSocketServer({ server }), new WebSocket.Server({ port })
((new_expression
   constructor: [(identifier) @server
                 (member_expression object: (identifier) property: (property_identifier) @server)]) @match
 (#match? @server "Server$"))

; Findings: an in-process pub/sub the models know: new PubSub() of graphql-subscriptions, under any
; local name (`import { PubSub as LocalPubSub }`): run only in files that name the class.
((new_expression constructor: (identifier)) @match
 (#match? @match "^new ")
 (#set! kind "pubsub")
 (#set! gate "PubSub"))

; require('socket.io')(server)
((call_expression
   function: (call_expression
     function: (identifier) @require
     arguments: (arguments . (string (string_fragment) @source) .))) @match
 (#eq? @require "require")
 (#packages? @source "socket.io"))

; socketIO(server), with socketIO = require('socket.io') (socket.io 2)
((call_expression function: (identifier) @fn arguments: (arguments . (_))) @match
 (#convention? @fn "socket.io"))

; ---------------------------------------------------------------------------------------------
; Facts: method calls, sorted out by rule.ts by their name.
; A store: cache.set(key, value) (database results cached, or a socket by id)
((call_expression function: (member_expression object: (_) @recv property: (property_identifier) @method)) @call
 (#eq? @method "set")
 (#set! fact "ipss.call"))

; Facts about sockets run only in files that mention them (gate: socket, WebSocket, socket.io, wss, 'ws'),
; the others never pay for them. One pattern: every call it matches is marshalled once.
; a socket added to a collection: clients.add(ws) / sockets.push(socket) / rooms.get(room)?.add(ws)
; a message sent to each socket of a collection, or to one looked up in it:
; for (const c of clients) c.send(m) / clients.forEach((c) => c.send(m)) / clients.get(id)?.emit('x', m)
; a pub/sub layer in the file (sockets kept here are then fed by it): io.adapter(createAdapter(pub, sub)),
; subscriber.subscribe('chat', listener), redis.publish('chat', m), pusher.trigger(...)
((call_expression function: (member_expression object: (_) @recv property: (property_identifier) @method)) @call
 (#model? @method "effect:socket-send effect:publish effect:subscribe")
 (#set! fact "ipss.call")
 (#set! gate "sock Sock wss 'ws' event-stream"))

; ... the containers' own adds, and an option that shares a socket server's state set on it (io.adapter(...))
((call_expression function: (member_expression object: (_) @recv property: (property_identifier) @method)) @call
 (#any-of? @method "add" "push")
 (#set! fact "ipss.call")
 (#set! gate "sock Sock wss 'ws' event-stream"))

; an event written to each open server-sent event stream of a collection: for (const res of clients) res.write(...)
((call_expression function: (member_expression object: (_) @recv property: (property_identifier) @method)) @call
 (#eq? @method "write")
 (#set! fact "ipss.call")
 (#set! gate "event-stream"))

((call_expression function: (member_expression object: (_) @recv property: (property_identifier) @method)) @call
 (#state-options? @method "sharedBy scope:process effect:client")
 (#set! fact "ipss.call")
 (#set! gate "sock Sock wss 'ws' event-stream"))

; clients[id] = ws: a socket stored by id
((assignment_expression left: (subscript_expression object: [(identifier) (member_expression)] @coll) right: (identifier) @value) @store
 (#any-of? @value "ws" "websocket" "webSocket" "socket" "sock" "wsClient" "client" "conn" "connection")
 (#set! fact "ipss.store")
 (#set! gate "sock Sock wss 'ws' event-stream"))

; Facts: cache[key] = value, in files that query a database (gate: the words of the database calls
; rule.ts knows): a cache filled with query results
((assignment_expression left: (subscript_expression object: [(identifier) (member_expression)] @coll) right: (_) @value) @store
 (#set! fact "ipss.store")
 (#set! gate "find query execute select where exec toArray count aggregate raw sql prisma supabase knex"))

; Facts: a socket.io adapter package in the file: import { createAdapter } from '@socket.io/redis-adapter' / require('socket.io-redis')
((import_statement source: (string (string_fragment) @source)) @key
 (#state-packages? @source "scope:shared effect:publish")
 (#set! fact "ipss.pubsub"))

((call_expression function: (identifier) @require arguments: (arguments . (string (string_fragment) @source) .)) @key
 (#eq? @require "require")
 (#state-packages? @source "scope:shared effect:publish")
 (#set! fact "ipss.pubsub"))

; ---------------------------------------------------------------------------------------------
; Evidence for the readiness model: io.adapter(createAdapter(pub, sub)) / subscriber.subscribe('chat', fn) /
; publisher.publish(CHAT_CHANNEL, m): a named channel or an adapter, not an Observable or a socket's own topic
((call_expression
   function: (member_expression object: (_) @recv property: (property_identifier) @method)
   arguments: (arguments . (_) @channel)) @evidence
 (#model? @method "effect:publish effect:subscribe")
 (#match? @channel "^(['\"`]|[A-Z][A-Z0-9_]*$|[a-zA-Z_.]*(channel|Channel|topic|Topic|CHANNEL)$|[a-zA-Z_.]*[Aa]dapter[(])")
 (#not-match? @recv "^(ws|socket|websocket|app|this[.](ws|socket))$")
 (#set! evidence "messages fan out to every instance through a pub/sub channel"))

((call_expression
   function: (member_expression object: (_) @recv property: (property_identifier) @method)
   arguments: (arguments . (_) @channel)) @evidence
 (#state-options? @method "sharedBy scope:process effect:client")
 (#match? @channel "^(['\"`]|[A-Z][A-Z0-9_]*$|[a-zA-Z_.]*(channel|Channel|topic|Topic|CHANNEL)$|[a-zA-Z_.]*[Aa]dapter[(])")
 (#not-match? @recv "^(ws|socket|websocket|app|this[.](ws|socket))$")
 (#set! evidence "messages fan out to every instance through a pub/sub channel"))

; new Server(httpServer, { adapter: createAdapter(pubClient, subClient) })
((pair key: (property_identifier) @prop value: (call_expression)) @evidence
 (#state-options? @prop "sharedBy scope:process effect:client")
 (#set! evidence "messages fan out to every instance through a pub/sub channel"))

; ---------------------------------------------------------------------------------------------
; Facts for a store of record: a module-level collection that request handlers write and read
; (todos.set(id, todo) in one route, todos.get(id) in another; a webhook's processed.has(id)).
; rule.ts keeps those in a handler's body where the name is the module's, not a local.
((call_expression function: (member_expression object: (identifier) @key property: (property_identifier) @method)) @node
 (#any-of? @method "set" "add" "push" "delete" "unshift" "splice")
 (#set! fact "ipss.record-write"))
((assignment_expression left: (subscript_expression object: (identifier) @key)) @node
 (#set! fact "ipss.record-write")
 (#set! gate "express Router app. router. Request NextRequest fastify Hono Controller @Get @Post"))
((unary_expression argument: (subscript_expression object: (identifier) @key)) @node
 (#set! fact "ipss.record-write")
 (#set! gate "express Router app. router. Request NextRequest fastify Hono Controller @Get @Post"))
((call_expression function: (member_expression object: (identifier) @key property: (property_identifier) @method)) @node
 (#any-of? @method "get" "has" "values" "entries" "keys" "find" "filter" "includes" "forEach" "map" "some")
 (#set! fact "ipss.record-read"))
((subscript_expression object: (identifier) @key) @node
 (#set! fact "ipss.record-read")
 (#set! gate "express Router app. router. Request NextRequest fastify Hono Controller @Get @Post"))
((for_in_statement right: (identifier) @key) @node
 (#set! fact "ipss.record-read")
 (#set! gate "express Router app. router. Request NextRequest fastify Hono Controller @Get @Post"))

; A shared store in the file (Redis, a database): the collection is then a fallback or a scratch copy.
((call_expression function: [(identifier) @method (member_expression property: (property_identifier) @method)]) @node
 (#model? @method "effect:cache-write effect:cache-read effect:db-write effect:db-read-one effect:db-read-many effect:db-query")
 (#set! fact "ipss.shared-store")
 (#set! gate "express Router app. router. Request NextRequest fastify Hono Controller @Get @Post"))

; Facts for a process-local cache that request handlers invalidate (rule.ts keeps those in a route
; or middleware): userCache.del(id) (node-cache), cache.delete(id) (Map, lru-cache), cache.clear(), this.cache.delete(id).
((call_expression function: (member_expression object: [(identifier) (member_expression)] @key property: (property_identifier) @method)) @node
 (#any-of? @method "del" "delete" "clear" "flushAll" "reset")
 (#set! fact "ipss.invalidate"))

; A lock of the process at module level (async-mutex `new Mutex()`: the models' `lock` effect), and
; the facts of its critical sections (`mutex.runExclusive(...)`, `await mutex.acquire()`): locks.ts.
((variable_declarator name: (identifier) @name value: (new_expression constructor: (identifier) @ctor)) @match
 (#model? @ctor "effect:lock")
 (#set! kind "lock"))
((call_expression function: (member_expression object: (identifier) @key property: (property_identifier) @method)) @node
 (#any-of? @method "runExclusive" "acquire")
 (#set! fact "ipss.locked-check-write"))
