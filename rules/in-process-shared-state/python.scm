; ---------------------------------------------------------------------------------------------
; Findings: a collection declared at module level or on a class, judged by rule.ts through facts:
; sockets added to it and sent to (a WebSocket registry), or database results stored in it (a cache).
; clients = set() / connections: list[WebSocket] = [] / user_cache: dict[int, User] = {}
((assignment left: (identifier) @name right: [(list) (dictionary)] @value) @match
 (#any-of? @value "[]" "{}")
 (#is-not? inside-function match)
 ; Empty literals are everywhere; one only matters with a socket or a database fill in the file (facts
 ; from gated patterns), so the declarations are gated on the union of those words.
 (#set! gate "sock Sock event-stream EventSourceResponse find fetch execute query objects session scalar select filter aggregate count_documents get_or_none where request route Router FastAPI Flask api_view @app."))

; clients = set() / _plans = dict()
((assignment left: (identifier) @name right: (call) @value) @match
 (#any-of? @value "set()" "list()" "dict()" "OrderedDict()" "WeakSet()")
 (#is-not? inside-function match)
 (#set! gate "sock Sock event-stream EventSourceResponse find fetch execute query objects session scalar select filter aggregate count_documents get_or_none where request route Router FastAPI Flask api_view @app."))

; rooms = defaultdict(set)
((assignment
   left: (identifier) @name
   right: (call function: [(identifier) @ctor (attribute attribute: (identifier) @ctor)]) @value) @match
 (#any-of? @ctor "defaultdict")
 (#is-not? inside-function match))

; plans = TTLCache(maxsize=256, ttl=300) / cachetools.LRUCache(1024): a process-local cache of the models
((assignment
   left: (identifier) @name
   right: (call function: [(identifier) @ctor (attribute attribute: (identifier) @ctor)]) @value) @match
 (#state-symbols? @ctor "scope:process effect:cache-write")
 (#is-not? inside-function match))

; ConnectionManager: self.active_connections: list[WebSocket] = [] (in __init__); sockets only, so gated
((assignment
   left: (attribute object: (identifier) @self attribute: (identifier) @name)
   right: [(list) (dictionary)] @value) @match
 (#any-of? @self "self" "cls")
 (#any-of? @value "[]" "{}")
 (#set! gate "sock Sock"))

((assignment
   left: (attribute object: (identifier) @self attribute: (identifier) @name)
   right: (call) @value) @match
 (#any-of? @self "self" "cls")
 (#any-of? @value "set()" "list()" "dict()" "WeakSet()")
 (#set! gate "sock Sock"))

; @lru_cache / @functools.cache / @cached(TTLCache(...)) / @alru_cache(ttl=60) on a function (rule.ts
; looks at the function's statements for a database call)
((decorator
   [(identifier) @deco
    (attribute attribute: (identifier) @deco)
    (call function: [(identifier) @deco (attribute attribute: (identifier) @deco)])]) @match
 (#state-symbols? @deco "scope:process effect:cache-write"))

; ---------------------------------------------------------------------------------------------
; Facts about sockets run only in files that mention them (gate: websocket, WebSocket, websockets,
; socketio, flask_sock's Sock), the others never pay for them.
; Method calls, sorted out by rule.ts by their name (one pattern: every call it matches is
; marshalled once, not once per concern):
; a socket added to a collection: clients.add(websocket) / self.active_connections.append(websocket)
; a message sent to each socket of a collection, or to one looked up in it: for ws in clients: await ws.send_text(m)
; websockets.broadcast(CONNECTIONS, message)
; a pub/sub layer in the file (sockets kept here are then fed by it): redis.pubsub(), redis.publish("chat", m),
; pubsub.subscribe(CHANNEL), Broadcast("redis://...") of broadcaster, Django Channels' group_send (also
; through async_to_sync(channel_layer.group_send)), pusher_client.trigger(...)
((call function: [(identifier) @method (attribute object: (_) @recv attribute: (identifier) @method)]) @call
 (#model? @method "effect:socket-send effect:publish effect:subscribe effect:client symbol:asgiref.sync.async_to_sync type:redis.Redis")
 (#set! fact "ipss.call")
 (#set! gate "sock Sock event-stream EventSourceResponse"))

; ... and the containers' own adds (and a send no library names)
((call function: (attribute object: (_) @recv attribute: (identifier) @method)) @call
 (#any-of? @method "add" "append" "send_message")
 (#set! fact "ipss.call")
 (#set! gate "sock Sock event-stream EventSourceResponse"))

; Server-sent events: an event put on the queue that feeds one open stream (`await q.put(event)`),
; only in files that open an event stream (its content type, or sse-starlette's EventSourceResponse).
((call function: (attribute object: (_) @recv attribute: (identifier) @method)) @call
 (#any-of? @method "put" "put_nowait")
 (#set! fact "ipss.call")
 (#set! gate "event-stream EventSourceResponse"))

; connections[user_id] = websocket: a socket stored by id
((assignment left: (subscript value: [(identifier) (attribute)] @coll) right: (identifier) @value) @store
 (#any-of? @value "websocket" "ws" "web_socket" "websock" "wsock" "socket" "sock" "conn" "connection" "client" "client_ws" "ws_conn" "wsconn")
 (#set! fact "ipss.store")
 (#set! gate "sock Sock"))

; Facts: cache[key] = value, in files that query a database (gate: the words of the database calls
; rule.ts knows): a cache filled with query results
((assignment left: (subscript value: [(identifier) (attribute)] @coll) right: (_) @value) @store
 (#set! fact "ipss.store")
 (#set! gate "find fetch execute query objects session scalar select filter aggregate count_documents get_or_none where"))

; ---------------------------------------------------------------------------------------------
; Evidence for the readiness model: Broadcast("redis://...") of the broadcaster library
((call function: (identifier) @ctor arguments: (argument_list . (_))) @evidence
 (#model? @ctor "symbol:broadcaster.Broadcast")
 (#set! evidence "broadcasts go through a pub/sub backend (broadcaster)"))

; redis.publish("chat", m) / pubsub.subscribe(CHANNEL) /
; broadcast.subscribe(channel="chat") (broadcaster) / channel_layer.group_send(self.room_group_name, ...):
; a named channel, not a socket's own subscription
((call
   function: (attribute object: (_) @recv attribute: (identifier) @method)
   arguments: (argument_list . (_) @channel)) @evidence
 (#model? @method "effect:publish effect:subscribe")
 (#match? @channel "^([\"']|[A-Z][A-Z0-9_]*$|channel=|[a-z_.]*(channel|topic|group|group_name)$)")
 (#not-match? @recv "^(websocket|ws|socket|sock|self[.](websocket|ws))$")
 (#set! evidence "messages fan out to every instance through a pub/sub channel"))

; ---------------------------------------------------------------------------------------------
; Facts for a store of record: a module-level collection that request handlers write and read
; (items[item_id] = item in one route, items[item_id] in another; a webhook's processed_ids set).
; rule.ts keeps those in a handler's body where the name is the module's, not a local.
((assignment left: (subscript value: (identifier) @key)) @node
 (#set! fact "ipss.record-write")
 (#set! gate "request route Router FastAPI Flask api_view @app."))
((call function: (attribute object: (identifier) @key attribute: (identifier) @method)) @node
 (#any-of? @method "append" "add" "update" "pop" "remove" "discard" "setdefault" "extend" "insert" "popitem" "appendleft")
 (#set! fact "ipss.record-write"))
((delete_statement (subscript value: (identifier) @key)) @node
 (#set! fact "ipss.record-write")
 (#set! gate "request route Router FastAPI Flask api_view @app."))
((comparison_operator (_) (identifier) @key) @node
 (#set! fact "ipss.record-read")
 (#set! gate "request route Router FastAPI Flask api_view @app."))
((call function: (attribute object: (identifier) @key attribute: (identifier) @method)) @node
 (#any-of? @method "get" "values" "items" "keys")
 (#set! fact "ipss.record-read"))
((subscript value: (identifier) @key) @node
 (#set! fact "ipss.record-read")
 (#set! gate "request route Router FastAPI Flask api_view @app."))
((for_statement right: (identifier) @key) @node
 (#set! fact "ipss.record-read")
 (#set! gate "request route Router FastAPI Flask api_view @app."))

; A shared store in the file (Redis, a database): the collection is then a fallback or a scratch copy.
((call function: [(identifier) @method (attribute attribute: (identifier) @method)]) @node
 (#model? @method "effect:cache-write effect:cache-read effect:db-write effect:db-read-one effect:db-read-many effect:db-query")
 (#set! fact "ipss.shared-store")
 (#set! gate "request route Router FastAPI Flask api_view @app."))

; Facts for a process-local cache that request handlers invalidate (rule.ts keeps those in a route
; or middleware): user_cache.pop(uid), user_cache.clear(), del user_cache[uid], self._cache.pop(k).
((call function: (attribute object: [(identifier) (attribute)] @key attribute: (identifier) @method)) @node
 (#any-of? @method "pop" "clear" "popitem" "expire")
 (#set! fact "ipss.invalidate"))
((delete_statement (subscript value: [(identifier) (attribute)] @key)) @node
 (#set! gate "cache Cache Dict")
 (#set! fact "ipss.invalidate"))

; A lock of the process at module level (asyncio.Lock(), threading.Lock(): the models' `lock`
; effect), and the facts of its critical sections (`with lock:` / `async with lock:`): locks.ts.
((expression_statement (assignment left: (identifier) @name right: (call function: (identifier) @ctor))) @match
 (#model? @ctor "effect:lock")
 (#set! kind "lock"))
((expression_statement (assignment left: (identifier) @name right: (call function: (attribute attribute: (identifier) @last) @ctor))) @match
 (#model? @last "effect:lock")
 (#set! kind "lock"))
((with_statement (with_clause (with_item value: (identifier) @key)) body: (block) @body) @node
 (#set! gate "Lock")
 (#set! fact "ipss.locked-check-write"))
