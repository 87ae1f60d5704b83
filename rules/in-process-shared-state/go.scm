; ---------------------------------------------------------------------------------------------
; Findings: a package variable or a struct field, judged by rule.ts (its type, and facts):
; var clients = make(map[*websocket.Conn]bool) / var userCache = map[int64]User{} / var users sync.Map
((var_spec name: (identifier) @name) @match
 (#match? @match "map|Map|New|Cache|LRU")
 (#is-not? inside-function match))

; type Hub struct { clients map[*Client]bool; broadcast chan []byte } / type Store struct { mu sync.RWMutex; users map[int64]User }
((field_declaration name: (field_identifier) @name type: (_) @type) @match
 (#match? @type "map|Map|Cache|LRU|BigCache"))

; ---------------------------------------------------------------------------------------------
; Facts: method calls, sorted out by rule.ts by their name.
; a store: c.Add(key, value) / c.Set(key, value, ttl) / m.Store(key, value) (database results cached)
((call_expression function: (selector_expression operand: (_) @recv field: (field_identifier) @method)) @call
 (#model? @method "effect:cache-write")
 (#set! fact "ipss.call"))

; Facts about sockets run only in files that mention websocket or a broadcast (the others never pay for them):
; a message written to each socket of a collection, or to one looked up in it:
; for client := range clients { client.WriteJSON(msg) } / clients[id].WriteMessage(...)
; a pub/sub layer in the file (sockets kept here are then fed by it): rdb.Subscribe(ctx, "chat"),
; rdb.Publish(ctx, "chat", msg) (go-redis), nats.Connect(url)
((call_expression function: (selector_expression operand: (_) @recv field: (field_identifier) @method)) @call
 (#model? @method "effect:socket-send effect:publish effect:subscribe effect:client")
 (#set! fact "ipss.call")
 (#set! gate "websocket broadcast event-stream"))

; client.send <- msg (the hub of gorilla's chat example)
((send_statement channel: (selector_expression operand: (_) @recv field: (field_identifier) @field)) @send
 (#any-of? @field "send" "Send")
 (#set! fact "ipss.ws-send")
 (#set! gate "websocket broadcast"))

; Server-sent events (files that open an event stream): a stream's channel kept in a map
; (`b.clients[ch] = true`, `subs[id] = ch`), and an event sent to each channel of one
; (`for ch := range b.clients { ch <- msg }`). rule.ts keeps channels made in a function that opens
; the stream (its text names `text/event-stream`).
((assignment_statement
   left: (expression_list . (index_expression operand: [(identifier) (selector_expression)] @coll index: (_) @index))
   right: (expression_list . (_) @value)) @store
 (#set! fact "ipss.go-sse-add")
 (#set! gate "event-stream"))
((send_statement channel: (identifier) @recv) @send
 (#set! fact "ipss.ws-send")
 (#set! gate "event-stream"))

; Facts: m[key] = value, in files that query a database (gate: the words of the database calls
; rule.ts knows): a cache filled with query results
((assignment_statement
   left: (expression_list . (index_expression operand: [(identifier) (selector_expression)] @coll))
   right: (expression_list . [(identifier) (call_expression) (composite_literal) (unary_expression) (selector_expression) (index_expression)] @value)) @store
 (#set! fact "ipss.store")
 (#set! gate "Query Scan Find First Select Get Take Last Raw Decode Aggregate queries Queries"))

; ---------------------------------------------------------------------------------------------
; Evidence for the readiness model: rdb.Subscribe(ctx, "chat") / rdb.Publish(context.Background(), "chat", m)
((call_expression
   function: (selector_expression field: (field_identifier) @method)
   arguments: (argument_list . [(identifier) @ctx (call_expression function: (selector_expression operand: (identifier) @ctx))] . (_))) @evidence
 (#model? @method "effect:publish effect:subscribe")
 (#match? @ctx "^(ctx|c|context|[a-z]+Ctx)$")
 (#set! evidence "messages fan out to every instance through Redis pub/sub"))

; ---------------------------------------------------------------------------------------------
; Facts for a store of record: a package-level map that request handlers write and read
; (users[id] = u in one handler, users[id] in another; delete(users, id)). rule.ts keeps those in a
; handler's body where the name is the package's, not a local.
((assignment_statement left: (expression_list (index_expression operand: (identifier) @key))) @node
 (#set! fact "ipss.record-write")
 (#set! gate "http.ResponseWriter gin.Context echo.Context fiber.Ctx HandleFunc"))
((call_expression function: (identifier) @fn arguments: (argument_list . (identifier) @key)) @node
 (#eq? @fn "delete")
 (#set! fact "ipss.record-write"))
((index_expression operand: (identifier) @key) @node
 (#set! fact "ipss.record-read")
 (#set! gate "http.ResponseWriter gin.Context echo.Context fiber.Ctx HandleFunc"))
((range_clause right: (identifier) @key) @node
 (#set! fact "ipss.record-read")
 (#set! gate "http.ResponseWriter gin.Context echo.Context fiber.Ctx HandleFunc"))
; A shared store in the file (Redis, a database): the map is then a fallback or a scratch copy.
((call_expression function: (selector_expression field: (field_identifier) @method)) @node
 (#model? @method "effect:cache-write effect:cache-read effect:db-write effect:db-read-one effect:db-read-many effect:db-query")
 (#set! fact "ipss.shared-store")
 (#set! gate "http.ResponseWriter gin.Context echo.Context fiber.Ctx HandleFunc"))

; Facts for a process-local cache that request handlers invalidate (rule.ts keeps those in a
; handler): delete(cache, id), h.cache.Delete(id) (sync.Map, go-cache), Remove/Purge (golang-lru).
((call_expression function: (identifier) @fn arguments: (argument_list . [(identifier) (selector_expression)] @key)) @node
 (#eq? @fn "delete")
 (#set! fact "ipss.invalidate"))
((call_expression function: (selector_expression operand: [(identifier) (selector_expression)] @key field: (field_identifier) @method)) @node
 (#any-of? @method "Delete" "Remove" "Purge" "Flush" "Del" "Clear")
 (#set! fact "ipss.invalidate"))

; A lock of the process at package level (`var mu sync.Mutex`: the models' `lock` effect), and the
; facts of its critical sections (`mu.Lock()` to `mu.Unlock()`, or to the end with `defer`): locks.ts.
((var_spec name: (identifier) @name type: (qualified_type name: (type_identifier) @last) @ctor) @match
 (#model? @last "effect:lock")
 (#set! kind "lock"))
((call_expression function: (selector_expression operand: (identifier) @key field: (field_identifier) @method)) @node
 (#eq? @method "Lock")
 (#set! fact "ipss.locked-check-write"))
